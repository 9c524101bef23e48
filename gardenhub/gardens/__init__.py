"""Gardens: the places where workdays happen (plots and their waitlist come later)."""
