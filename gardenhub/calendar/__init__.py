"""iCalendar output: a pure serializer and VTIMEZONEs; a leaf any package may use."""
