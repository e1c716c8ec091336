"""Place and agency names the fact extractor recognises, mapped to ISO 3166-1 codes."""

from __future__ import annotations

#: EU member states (ISO 3166-1 alpha-2).
EU_MEMBERS: frozenset[str] = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})

#: Country names and demonyms (lower case) -> ISO code.
COUNTRIES: dict[str, str] = {
    # EU member states
    "austria": "AT", "austrian": "AT", "belgium": "BE", "belgian": "BE", "bulgaria": "BG",
    "bulgarian": "BG", "croatia": "HR", "croatian": "HR", "cyprus": "CY", "cypriot": "CY",
    "czech republic": "CZ", "czechia": "CZ", "czech": "CZ", "denmark": "DK", "danish": "DK",
    "estonia": "EE", "estonian": "EE", "finland": "FI", "finnish": "FI", "france": "FR",
    "french": "FR", "germany": "DE", "german": "DE", "greece": "GR", "greek": "GR",
    "hungary": "HU", "hungarian": "HU", "ireland": "IE", "irish": "IE", "italy": "IT",
    "italian": "IT", "latvia": "LV", "latvian": "LV", "lithuania": "LT", "lithuanian": "LT",
    "luxembourg": "LU", "luxembourgish": "LU", "malta": "MT", "maltese": "MT",
    "netherlands": "NL", "the netherlands": "NL", "holland": "NL", "dutch": "NL",
    "poland": "PL", "polish": "PL", "portugal": "PT", "portuguese": "PT", "romania": "RO",
    "romanian": "RO", "slovakia": "SK", "slovak": "SK", "slovenia": "SI", "slovenian": "SI",
    "spain": "ES", "spanish": "ES", "sweden": "SE", "swedish": "SE",
    # United Kingdom
    "united kingdom": "GB", "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB",
    "british": "GB", "england": "GB", "english": "GB", "scotland": "GB", "scottish": "GB",
    "wales": "GB", "welsh": "GB", "northern ireland": "GB",
    # United States ("US" itself is matched case-sensitively by the extractor)
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.": "US",
    "u.s.a.": "US", "america": "US", "american": "US",
    # elsewhere
    "canada": "CA", "canadian": "CA", "australia": "AU", "australian": "AU", "india": "IN",
    "indian": "IN", "japan": "JP", "japanese": "JP", "china": "CN", "chinese": "CN",
    "brazil": "BR", "brazilian": "BR", "switzerland": "CH", "swiss": "CH", "norway": "NO",
    "norwegian": "NO", "singapore": "SG", "singaporean": "SG", "mexico": "MX", "mexican": "MX",
    "turkey": "TR", "turkish": "TR", "israel": "IL", "israeli": "IL", "south africa": "ZA",
    "new zealand": "NZ", "south korea": "KR", "korean": "KR", "russia": "RU", "russian": "RU",
    "ukraine": "UA", "ukrainian": "UA", "iceland": "IS", "serbia": "RS", "argentina": "AR",
    "nigeria": "NG", "kenya": "KE", "uae": "AE", "dubai": "AE",
}

#: Major cities (lower case) -> ISO code.
CITIES: dict[str, str] = {
    "paris": "FR", "lyon": "FR", "marseille": "FR", "nice": "FR", "berlin": "DE",
    "munich": "DE", "hamburg": "DE", "frankfurt": "DE", "cologne": "DE", "madrid": "ES",
    "barcelona": "ES", "seville": "ES", "valencia": "ES", "amsterdam": "NL", "rotterdam": "NL",
    "the hague": "NL", "utrecht": "NL", "brussels": "BE", "antwerp": "BE", "ghent": "BE",
    "dublin": "IE", "cork": "IE", "rome": "IT", "milan": "IT", "naples": "IT", "turin": "IT",
    "warsaw": "PL", "krakow": "PL", "lisbon": "PT", "porto": "PT", "vienna": "AT",
    "prague": "CZ", "budapest": "HU", "stockholm": "SE", "copenhagen": "DK", "helsinki": "FI",
    "athens": "GR", "bucharest": "RO", "sofia": "BG", "zagreb": "HR", "ljubljana": "SI",
    "bratislava": "SK", "tallinn": "EE", "riga": "LV", "vilnius": "LT", "valletta": "MT",
    "nicosia": "CY", "london": "GB", "manchester": "GB", "birmingham": "GB", "liverpool": "GB",
    "leeds": "GB", "glasgow": "GB", "edinburgh": "GB", "cardiff": "GB", "belfast": "GB",
    "bristol": "GB", "new york": "US", "new york city": "US", "nyc": "US", "chicago": "US",
    "los angeles": "US", "san francisco": "US", "houston": "US", "miami": "US",
    "seattle": "US", "boston": "US", "atlanta": "US", "detroit": "US", "phoenix": "US",
    "dallas": "US", "philadelphia": "US", "washington dc": "US", "washington, d.c.": "US",
    "baltimore": "US", "denver": "US", "new orleans": "US", "toronto": "CA",
    "vancouver": "CA", "sydney": "AU", "melbourne": "AU", "tokyo": "JP", "zurich": "CH",
    "geneva": "CH", "oslo": "NO",
    "san diego": "US", "san jose": "US", "austin": "US", "portland": "US", "las vegas": "US",
    "minneapolis": "US", "oakland": "US", "nashville": "US", "memphis": "US",
    "charlotte": "US", "indianapolis": "US", "fort worth": "US", "el paso": "US",
    "jacksonville": "US", "sacramento": "US", "kansas city": "US", "st. louis": "US",
    "pittsburgh": "US", "cleveland": "US", "cincinnati": "US", "tampa": "US", "orlando": "US",
    "honolulu": "US", "salt lake city": "US", "albuquerque": "US", "tucson": "US",
    "milwaukee": "US", "louisville": "US", "raleigh": "US", "jfk": "US",
    # US states that commonly come up
    "california": "US", "texas": "US", "florida": "US", "arizona": "US", "ohio": "US",
    "illinois": "US", "new jersey": "US", "georgia state": "US",
}

#: Regions that place a use in the EU without naming a member state.
EU_REGIONS: tuple[str, ...] = (
    "eu member state", "eu member states", "member state of the eu", "in the eu", "within the eu",
    "across the eu", "european union", "european", "europe", "eu-based", "an eu", "the eu",
    "eu police", "eu country", "eu countries",
)

#: Police and agency names (lower case) -> (actor kind, ISO code or "" when not national).
#: Kinds: "federal" (US federal law enforcement), "police" (police and the like),
#: "law_enforcement" (other law-enforcement bodies).
AGENCIES: dict[str, tuple[str, str]] = {
    "nypd": ("police", "US"), "lapd": ("police", "US"), "chicago police": ("police", "US"),
    "sheriff": ("police", "US"), "sheriffs": ("police", "US"), "sherriff": ("police", "US"),
    "sherif": ("police", "US"), "sheriff's": ("police", "US"), "pd": ("police", ""),
    "sheriff's office": ("police", "US"),
    "sheriff's department": ("police", "US"), "county sheriff": ("police", "US"),
    "sheriff's deputies": ("police", "US"), "state police": ("police", ""),
    "highway patrol": ("police", "US"), "state troopers": ("police", "US"),
    "troopers": ("police", "US"), "police department": ("police", ""),
    "fbi": ("federal", "US"), "dea": ("federal", "US"), "atf": ("federal", "US"),
    "cbp": ("federal", "US"), "us marshals": ("federal", "US"), "u.s. marshals": ("federal", "US"),
    "secret service": ("federal", "US"), "homeland security": ("federal", "US"),
    "dhs": ("federal", "US"), "border patrol": ("federal", "US"),
    "customs and border protection": ("federal", "US"),
    "immigration and customs enforcement": ("federal", "US"),
    "federal agency": ("federal", "US"), "federal agencies": ("federal", "US"),
    "federal agents": ("federal", "US"), "federal law enforcement": ("federal", "US"),
    "federal police": ("federal", ""),
    "garda": ("police", "IE"), "gardai": ("police", "IE"), "gardaí": ("police", "IE"),
    "garda síochána": ("police", "IE"), "an garda síochána": ("police", "IE"),
    "met police": ("police", "GB"), "metropolitan police": ("police", "GB"),
    "scotland yard": ("police", "GB"), "police scotland": ("police", "GB"),
    "gendarmerie": ("police", "FR"), "police nationale": ("police", "FR"),
    "guardia civil": ("police", "ES"), "policía nacional": ("police", "ES"),
    "policia nacional": ("police", "ES"), "mossos d'esquadra": ("police", "ES"),
    "bundespolizei": ("police", "DE"), "polizei": ("police", "DE"), "bka": ("police", "DE"),
    "carabinieri": ("police", "IT"), "polizia": ("police", "IT"), "politie": ("police", "NL"),
    "marechaussee": ("police", "NL"), "policja": ("police", "PL"),
    "frontex": ("law_enforcement", "EU"), "europol": ("law_enforcement", "EU"),
    "border guards": ("law_enforcement", ""), "border guard": ("law_enforcement", ""),
    "border police": ("law_enforcement", ""), "police": ("police", ""),
    "police force": ("police", ""), "police forces": ("police", ""),
    "police officers": ("police", ""), "officers": ("police", ""), "officer": ("police", ""),
    "cops": ("police", ""), "cop": ("police", ""), "constabulary": ("police", ""),
    "constables": ("police", ""), "detectives": ("police", ""), "detective": ("police", ""),
    "law enforcement": ("law_enforcement", ""), "law-enforcement": ("law_enforcement", ""),
    "prosecutors": ("law_enforcement", ""), "prosecutor": ("law_enforcement", ""),
    "investigators": ("law_enforcement", ""), "customs officers": ("law_enforcement", ""),
    "immigration officers": ("law_enforcement", ""), "precinct": ("police", ""),
}
