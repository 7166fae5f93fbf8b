"""``ClosingStreamingResponse``: a streamed answer whose body generator is closed as soon as the answer ends.

Starlette leaves an async generator body suspended at its ``yield`` when the client goes away; it is closed only when
the garbage collector gets to it, which may be much later (a reference cycle through the disconnect's traceback). A
live stream holds a camera's producer (decoding, masking) until its body is closed, so closing it at once is what
makes a producer stop when its last viewer leaves.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


class ClosingStreamingResponse(StreamingResponse):
    def __init__(self, content: AsyncGenerator[bytes, None], media_type: str, headers: dict[str, str]) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self._generator = content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._generator.aclose()
