"""Check-in at the gate, volunteer hours and their approval, letters and reports."""
