"""Audio in: the one chunk type, PCM conversions, WAV files, sources, the microphone, voice activity."""
