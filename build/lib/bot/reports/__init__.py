"""Files for staff and the standing committee: comment exports and the summary report."""
