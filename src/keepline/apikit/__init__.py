"""What every capability's router shares: the session, the caller, lists and errors."""
