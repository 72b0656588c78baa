"""Pure text to meaning: emotions, urges, skills, ratings, commands, yes/no and crisis language."""
