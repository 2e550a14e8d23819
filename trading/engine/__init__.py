"""The execution simulator shared by paper trading and backtests: fills, fees, slippage, margin, funding, liquidation.

Pure: no I/O and no clock reads; time arrives as epoch ms with each price event. `SimulatedExchange`
(simulated_exchange.py) books orders against a `SpotAccount` or a `FuturesAccount` and is driven by
`on_bar` / `on_funding`; `trading.adapters.paper_broker.PaperBroker` puts the Broker port in front of it.
"""
