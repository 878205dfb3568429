"""Shared test setup."""
import signal

# A CI runner may start the tests with SIGINT ignored (a background job of a non-interactive
# shell). An ignored signal stays ignored in every subprocess, so the tests that press Ctrl-C
# in a child would never be heard; give this process (and so its children) the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
