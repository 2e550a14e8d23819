"""Pure risk rules: sizing, account limits, protective stops, circuit breaker and kill switch.

No I/O and no clock reads: time comes in as epoch ms, money as Decimal. Each rule takes state and
inputs and returns a decision and the new state, so the trading loop owns persistence and notices.
"""
