"""The visit's one step is walked by hand: ``test_moved_households`` closes a moved household's
flag from the page and the API, refused twice (409) and for every role out of place."""

USER_STEPS_WALKED_BY_HAND = {("Visit", "close_household_update"): "test_moved_households"}
