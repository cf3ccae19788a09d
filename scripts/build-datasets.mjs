// Placeholder until the dataset converter lands (issue 3).
