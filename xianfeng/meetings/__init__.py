"""Organizational life: joint meetings, 三会一课 and the meeting rhythms, fixed activity days,
publicity events, selections and votes."""
