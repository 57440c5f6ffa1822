"""Reading the record back: replaying the event history and verifying its chain and seals."""
