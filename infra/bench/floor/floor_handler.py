"""The cold-start floor: the smallest REST function a Deepiri service could be, measured beside every real one.

A Powertools REST resolver with request validation, a logger, one pydantic model and one PynamoDB model,
read once per request. ``make bench`` imports it in a fresh runtime interpreter and deploys it as a
function of its own on the emulator (with the common layer) to time its first invocation; a service
function's cold start is budgeted as a multiple of this one's.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

logger = Logger(service="bench-floor")
app = APIGatewayRestResolver(enable_validation=True)


class Item(BaseModel):
    """The answer: an item's id and whether the table holds it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    found: bool


class ItemRecord(Model):
    """A table item keyed like every Deepiri table (``pk``/``sk``)."""

    class Meta:
        table_name = os.environ.get("FLOOR_TABLE", "bench-floor")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


@app.get("/floor/<item_id>")
def get_item(item_id: str) -> Item:
    found = ItemRecord.count(f"FLOOR#{item_id}", ItemRecord.sk == "ITEM", limit=1) > 0
    return Item(id=item_id, found=found)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point: ``floor_handler.handler``."""
    return app.resolve(event, context)
