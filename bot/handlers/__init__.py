"""Command handlers, one module per area: parse the update, call one service method, render, reply."""
