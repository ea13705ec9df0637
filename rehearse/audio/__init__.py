"""Sound in and out, and what the sound itself says (prosody)."""
