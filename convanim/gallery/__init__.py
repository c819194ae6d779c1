"""The gallery: every template rendered into one folder (`builder`: build, manifest, check) with its index pages
(`index`: README.md and index.html around `page.html`)."""
