"""Speech engines behind small interfaces: recognition (Vosk, Whisper), models, listening, speaking."""
