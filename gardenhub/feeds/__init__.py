"""Calendar feeds: public, per garden, project and workday, and private token feeds."""
