"""Export Orders: mappings, the field catalogue, streaming writers and the export job."""
