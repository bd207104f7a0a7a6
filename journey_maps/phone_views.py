"""The participant's journey page: take a role card, place it, record handoffs."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("journey_phone", __name__)
