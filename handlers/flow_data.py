"""A flow's in-progress data: one frozen, typed model per flow, stored as JSON.

The pipeline keeps a resident's conversation state as a state name and a JSON object (the
`conversation_states` row). A flow never reads that object by key: it loads its own model
with `Model.load(turn.data)` and moves on with `turn.goto(state, model)`.

The stored object names its flow ("flow": "gy"), so one flow's data never loads as
another's, even where their fields share names. Data stored by an older release (which has
no "flow") either loads (a renamed key is a validation alias of its field) or does not:
`load` then returns None, and the flow gives the stale-button answer with the menu, never a
traceback. Keys a model does not know are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

FLOW_KEY = "flow"


class FlowData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    flow: ClassVar[str] = ""  # the flow's name, stored beside the fields; "" stores none

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Self | None:
        """The model stored in `data`, or None if it is not there or not in this shape."""
        if data.get(FLOW_KEY, cls.flow) != cls.flow:
            return None
        try:
            return cls.model_validate(data)
        except ValidationError:
            return None

    def dump(self) -> dict[str, Any]:
        """The JSON object stored in the conversation state."""
        fields = self.model_dump(mode="json")
        return {FLOW_KEY: self.flow, **fields} if self.flow else fields
