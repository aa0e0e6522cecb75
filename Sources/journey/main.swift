import JourneyCLI

JourneyCLI.main()
