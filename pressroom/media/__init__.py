"""Media the pipelines produce besides text: branded social cards."""
