"""The Temporal dev server restarts (same SQLite file) mid-run: the worker
reconnects and every order completes."""


async def test_a_server_restart_mid_run_loses_nothing(drill):
    await drill.start()
    orders = await drill.place_orders(40)
    await drill.wait_for(orders, "SHIPPED", at_least=10)
    drill.restart_server()
    await drill.wait_for(orders, "CLOSED", timeout=240)
    await drill.assert_each_shipped_once(orders)
