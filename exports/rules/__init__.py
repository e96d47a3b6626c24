"""One activity through Bufdir's regulation and the configuration: mapped, classified, counted, accounted for."""
