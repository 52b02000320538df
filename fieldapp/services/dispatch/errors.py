"""Why a dispatch action (an edit, an optimisation, publishing, a trip) cannot be done."""


class DispatchError(ValueError):
    """A dispatch action that cannot be done (message in Spanish)."""


class StaleRoute(DispatchError):
    """Someone else changed the route since this page was loaded."""
