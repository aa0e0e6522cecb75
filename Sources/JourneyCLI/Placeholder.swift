// JourneyCLI
