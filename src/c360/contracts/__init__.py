"""The bottom layer: what every other layer agrees on (the bronze schema, model-output
files and schemas, the atomic writer, artefact paths). Imports nothing from c360 but
config."""
