"""Pure domain logic: values in, values out. No I/O, no frameworks, no settings object."""
