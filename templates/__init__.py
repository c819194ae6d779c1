"""The animation templates that ship with convanim (TOML files, read by convanim.templates)."""
