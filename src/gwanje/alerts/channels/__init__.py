"""Alert channels: each sends one stored message and says whether it was delivered."""
