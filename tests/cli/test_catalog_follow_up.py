"""What a catalog change sets off on the dev server: every channel's offers
follow a new price, and orders that waited for an unknown EAN go on."""

import functools
from decimal import Decimal

from domain.catalog import Product
from domain.order.status import OrderStatus, Step
from domain.order.view import OrderView
from starter import orders_api
from tests.cli.test_cli import cli_env, ordertide
from tests.offers.support import live
from tests.offers.test_offer_sync import MUG_EAN, publish_catalog
from tests.support import SandboxedBol, eventually
from tests.workflows.helpers import place_and_start, view, wait_for, wait_for_attention
from workers.settings import settings_env

KETTLE = {"ean": "5012345678900", "unitPrice": "29.95", "title": "Kettle we never listed"}
TEAPOT = {"ean": "4006381333948", "unitPrice": "24.95", "title": "Teapot we never listed"}


def priced(box: SandboxedBol, ean: str, amount: float) -> bool:
    return live(box, ean)["pricing"]["bundlePrices"][0]["unitPrice"] == amount


async def test_an_import_reprices_every_channel_and_resumes_orders_waiting_for_its_eans(
    dev_env, two_channels, tmp_path, task_queue
):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    env = {**cli_env(dev_env, tmp_path), **settings_env(engine.settings)}
    async with engine.worker(client):
        await publish_catalog(engine, client, [two_channels.bol, two_channels.bol2])
        _, kettle_order = await place_and_start(client, two_channels.bol, task_queue, [{**KETTLE, "quantity": 1}])
        _, teapot_order = await place_and_start(client, two_channels.bol, task_queue, [{**TEAPOT, "quantity": 1}])
        for handle in (kettle_order, teapot_order):
            assert Step.ACCEPT in (await wait_for_attention(handle)).attention
        query = orders_api.list_query(needs_attention=True)
        await eventually(lambda: _listed(client, query, 2))

        path = tmp_path / "catalog.csv"
        path.write_text(
            'sku,ean,title,list_price,on_hand\nMUG-BLUE,8710103917885,Blue enamel mug,"14,50",\nKETTLE,5012345678900,Kettle,29.95,4\n'
        )
        code, out, err = await ordertide("catalog", "import", str(path), env=env)
        assert code == 0, err
        assert "feed rules run again for 2 product(s) on bol, bol2" in out
        kettle_id = kettle_order.id.rsplit(":", 1)[1]
        teapot_id = teapot_order.id.rsplit(":", 1)[1]
        assert f"resumed {kettle_id}" in out and f"{teapot_id} still waits for EAN 4006381333948" in out

        for box in (two_channels.bol, two_channels.bol2):
            await eventually(functools.partial(priced, box, MUG_EAN, 14.50))
        ready = await wait_for(kettle_order, OrderStatus.AWAITING_PICK)
        assert ready.lines[0].sku == "KETTLE" and ready.lines[0].reserved
        assert any(
            "resumed by ops (accept): EAN 5012345678900 is in the catalog now (added by catalog import catalog.csv)"
            in e
            for e in ready.history
        )

        # Added some other way (here: straight into the store): one command resumes the rest.
        engine.inventory.upsert_product(Product(sku="TEAPOT", ean="4006381333948", title="Teapot"))
        engine.inventory.set_stock("TEAPOT", 2)
        code, out, err = await ordertide("orders", "resume", "--reason", "unknown-ean", env=env)
        assert code == 0, err
        assert f"resumed {teapot_id}" in out and "1 order(s) resumed, 0 still waiting" in out
        teapot: OrderView = await wait_for(teapot_order, OrderStatus.AWAITING_PICK)
        assert any(
            "EAN 4006381333948 is in the catalog now (orders resume --reason unknown-ean)" in e for e in teapot.history
        )
        assert not (await view(kettle_order)).needs_attention

        # A price changed while Temporal was down reaches the channels with `offers resync`.
        [mug] = engine.inventory.catalog_items(["MUG-BLUE"])
        engine.inventory.upsert_product(mug.model_copy(update={"list_price": Decimal("15.95")}))
        code, out, err = await ordertide("offers", "resync", "MUG-BLUE", env=env)
        assert code == 0 and "feed rules run again for 1 product(s) on bol, bol2" in out, err
        for box in (two_channels.bol, two_channels.bol2):
            await eventually(functools.partial(priced, box, MUG_EAN, 15.95))

        # One product changed by hand goes the same way as a file.
        code, out, err = await ordertide("product", "set", "MUG-BLUE", "--list-price", "16,95", env=env)
        assert code == 0 and "feed rules run again for 1 product(s) on bol, bol2" in out, err
        for box in (two_channels.bol, two_channels.bol2):
            await eventually(functools.partial(priced, box, MUG_EAN, 16.95))


async def _listed(client, query: str, count: int) -> bool:
    return len(await orders_api.list_orders(client, query)) >= count
