"""Setting up a WS2 workshop: the role catalogue copied in and the default journey."""

from __future__ import annotations

from sqlalchemy.orm import Session


def prepare_ws2(session: Session, *, workshop_id: int, include_optional: bool = False) -> None:
    """Copy the catalogue's roles and the default stages into a new WS2 workshop.

    Both steps leave what is already there alone, so this is safe to run again.
    """
    from journey_maps.stages import seed_default_journey
    from roles.services import seed_roles

    seed_roles(session, workshop_id=workshop_id, include_optional=include_optional)
    seed_default_journey(session, workshop_id=workshop_id)
