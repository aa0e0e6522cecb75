// JourneyBench
