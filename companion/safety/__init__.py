"""Safety policy, triage of answers, the safety response, crisis lines and the client's safety plan."""
