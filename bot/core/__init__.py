"""The pure core of the bot: values in, values out; no I/O, no clock."""
