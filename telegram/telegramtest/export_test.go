package telegramtest

// PollsStarted reports how many getUpdates requests have begun, so a test can
// tell that a long poll is waiting before it acts.
func (s *Server) PollsStarted() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pollGen
}
