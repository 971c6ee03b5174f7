"""The log book: what was actually delivered, the hours ledger and the monthly proof."""
