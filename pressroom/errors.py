"""Errors a user can act on: each message says what went wrong and what to do."""


class PressroomError(Exception):
    """Base class: the CLI prints these without a traceback."""


class ConfigError(PressroomError):
    pass


class SourceError(PressroomError):
    """The source could not be fetched or did not contain a usable article."""


class FetchRefused(SourceError):
    """The URL points somewhere Pressroom will not go (scheme, private address, size, type)."""


class FetchFailed(SourceError):
    """The server could not be reached or answered with an error.

    ``transient`` marks failures worth retrying: timeouts, refused connections, 5xx, 429.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class ExtractionFailed(SourceError):
    """The page was fetched but holds no usable article."""


class PublishRefused(PressroomError):
    """The publish gate refused: no approval or no passing compliance report for this content."""


class PublishFailed(PressroomError):
    """A publish target could not take an approved bundle (missing bucket, refused webhook...)."""


class ReviewError(PressroomError):
    """A review could not be given or was not given in time."""


class ScriptError(PressroomError):
    """A video script that cannot be made into a video."""


class RenderError(PressroomError):
    """A video could not be rendered from its inputs, or the rendered file is not valid."""


class BriefError(PressroomError):
    """A brief (or the calendar that lists it) that cannot run; every problem is named."""
