"""What GardenHub offers other websites and scripts: the JSON API under
/api/v1 (with its OpenAPI description) and the embeddable widget."""
