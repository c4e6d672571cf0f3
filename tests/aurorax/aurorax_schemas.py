"""JSON schemas of the AuroraX API documents, from the research notes
(../shared/formats/aurorax_api.md: the API's OpenAPI description and pyaurorax 1.27's models).

The replay server's bodies and the requests our client sends are validated against these, so a
drift between what we build and what the API documents fails a test.
"""

from __future__ import annotations

#: A key that must never show up in a message, a log line or a repr.
SECRET = "sk-test-0123456789abcdef-SECRET"

TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"}
NTIME = {"anyOf": [TIME, {"type": "null"}]}
STRINGS = {"type": "array", "items": {"type": "string"}}
NUMBER = {"type": "number"}
LOCATION = {
    "anyOf": [
        {"type": "null"},
        {
            "type": "object",
            "required": ["lat", "lon"],
            "properties": {
                "lat": {"type": ["number", "null"]},
                "lon": {"type": ["number", "null"]},
            },
        },
    ]
}

EXPRESSION = {
    "type": "object",
    "required": ["key", "operator", "values"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "minLength": 1},
        "operator": {"enum": ["=", "!=", ">", "<", ">=", "<=", "between", "in", "not in"]},
        "values": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
}
FILTER = {
    "anyOf": [
        {"type": "object", "maxProperties": 0},
        {
            "type": "object",
            "required": ["logical_operator", "expressions"],
            "additionalProperties": False,
            "properties": {
                "logical_operator": {"enum": ["AND", "OR"]},
                "expressions": {"type": "array", "items": EXPRESSION},
            },
        },
    ]
}

DATA_SOURCE = {
    "type": "object",
    "required": ["program", "platform", "instrument_type"],
    "properties": {
        "identifier": {"type": "integer"},
        "program": {"type": "string"},
        "platform": {"type": "string"},
        "instrument_type": {"type": "string"},
        "source_type": {"type": "string"},
        "display_name": {"type": "string"},
    },
}


def _block(extra: dict | None = None) -> dict:
    props = {
        "programs": STRINGS,
        "platforms": STRINGS,
        "instrument_types": STRINGS,
        "ephemeris_metadata_filters": FILTER,
        **(extra or {}),
    }
    return {
        "type": "object",
        "required": ["programs", "platforms", "instrument_types", "ephemeris_metadata_filters"],
        "additionalProperties": False,
        "properties": props,
    }


CONJUNCTION_QUERY = {
    "type": "object",
    "required": [
        "start",
        "end",
        "ground",
        "space",
        "events",
        "adhoc",
        "conjunction_types",
        "max_distances",
    ],
    "additionalProperties": False,
    "properties": {
        "start": TIME,
        "end": TIME,
        "ground": {"type": "array", "items": _block()},
        "space": {
            "type": "array",
            "items": _block(
                {"hemisphere": {"type": "array", "items": {"enum": ["northern", "southern"]}}}
            ),
        },
        "events": {"type": "array", "items": _block()},
        "adhoc": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["locations"],
                "properties": {
                    "locations": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["lat", "lon"],
                            "properties": {"lat": NUMBER, "lon": NUMBER},
                        },
                    }
                },
            },
        },
        "conjunction_types": {
            "type": "array",
            "minItems": 1,
            "items": {"enum": ["nbtrace", "sbtrace", "geographic"]},
        },
        "max_distances": {
            "type": "object",
            "additionalProperties": {"type": "number", "minimum": 0},
            "propertyNames": {
                "pattern": r"^(ground|space|events|adhoc)\d+-(ground|space|events|adhoc)\d+$"
            },
        },
    },
}

SOURCES_QUERY = {
    "type": "object",
    "required": ["programs", "platforms", "instrument_types"],
    "properties": {
        "programs": STRINGS,
        "platforms": STRINGS,
        "instrument_types": STRINGS,
        "ephemeris_metadata_filters": FILTER,
        "data_product_metadata_filters": FILTER,
    },
    "additionalProperties": False,
}
EPHEMERIS_QUERY = {
    "type": "object",
    "required": ["data_sources", "start", "end"],
    "additionalProperties": False,
    "properties": {"data_sources": SOURCES_QUERY, "start": TIME, "end": TIME},
}
DATA_PRODUCTS_QUERY = {
    "type": "object",
    "required": ["data_sources", "start", "end", "data_product_type_filters"],
    "additionalProperties": False,
    "properties": {
        "data_sources": SOURCES_QUERY,
        "start": TIME,
        "end": TIME,
        "data_product_type_filters": STRINGS,
    },
}

CONJUNCTION = {
    "type": "object",
    "required": [
        "conjunction_type",
        "start",
        "end",
        "data_sources",
        "min_distance",
        "max_distance",
        "events",
        "closest_epoch",
        "farthest_epoch",
    ],
    "properties": {
        "conjunction_type": {"enum": ["nbtrace", "sbtrace", "geographic"]},
        "start": TIME,
        "end": TIME,
        "data_sources": {"type": "array", "items": DATA_SOURCE},
        "min_distance": NUMBER,
        "max_distance": NUMBER,
        "closest_epoch": TIME,
        "farthest_epoch": TIME,
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["e1_source", "e2_source"],
                "properties": {"start": TIME, "end": TIME},
            },
        },
    },
}
EPHEMERIS = {
    "type": "object",
    "required": [
        "data_source",
        "epoch",
        "location_geo",
        "nbtrace",
        "sbtrace",
        "location_gsm",
        "metadata",
    ],
    "properties": {
        "data_source": DATA_SOURCE,
        "epoch": TIME,
        "location_geo": LOCATION,
        "location_gsm": LOCATION,
        "nbtrace": LOCATION,
        "sbtrace": LOCATION,
        "metadata": {"type": "object"},
    },
}
DATA_PRODUCT = {
    "type": "object",
    "required": ["data_source", "data_product_type", "start", "end", "url", "metadata"],
    "properties": {
        "data_source": DATA_SOURCE,
        "data_product_type": {"type": "string"},
        "start": TIME,
        "end": TIME,
        "url": {"type": "string", "pattern": "^https?://"},
        "metadata": {"type": "object"},
    },
}
STATUS = {
    "type": "object",
    "required": ["search_request", "search_result", "logs"],
    "properties": {
        "search_request": {
            "type": "object",
            "required": ["request_id", "requested", "query", "request_type"],
        },
        "search_result": {
            "type": "object",
            "required": [
                "data_uri",
                "completed_timestamp",
                "query_duration",
                "file_size",
                "result_count",
                "error_condition",
            ],
            "properties": {
                "data_uri": {"type": ["string", "null"]},
                "error_condition": {"type": "boolean"},
            },
        },
        "logs": {
            "type": "array",
            "items": {"type": "object", "required": ["timestamp", "level", "summary"]},
        },
    },
}
ERROR_DOCUMENT = {
    "type": "object",
    "required": ["error_code", "error_message"],
    "properties": {"error_code": {"type": "string"}, "error_message": {"type": "string"}},
}
AVAILABILITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["data_source"],
        "properties": {
            "data_source": DATA_SOURCE,
            "available_ephemeris": {"type": ["object", "null"]},
            "available_data_products": {"type": ["object", "null"]},
        },
    },
}

QUERIES = {
    "conjunctions": CONJUNCTION_QUERY,
    "ephemeris": EPHEMERIS_QUERY,
    "data_products": DATA_PRODUCTS_QUERY,
}
RECORDS = {"conjunctions": CONJUNCTION, "ephemeris": EPHEMERIS, "data_products": DATA_PRODUCT}


# -- TREx ATM, version 2 (UCalgary SRS API 1.66: field names, types and required keys) ---------

ATM_FORWARD_OUTPUTS = [
    *(
        f"height_integrated_rayleighs_{w}"
        for w in ("4278", "5577", "6300", "8446", "1304", "1356", "smile_uvi_lbh")
    ),
    "altitudes",
    *(f"emission_{w}" for w in ("4278", "5577", "6300", "8446", "1304", "1356", "smile_uvi_lbh")),
    "plasma_electron_density",
    "plasma_o2plus_density",
    "plasma_noplus_density",
    "plasma_oplus_density",
    "plasma_ionisation_rate",
    "plasma_electron_temperature",
    "plasma_ion_temperature",
    "plasma_pedersen_conductivity",
    "plasma_hall_conductivity",
    "neutral_o2_density",
    "neutral_o_density",
    "neutral_n2_density",
    "neutral_n_density",
    "neutral_temperature",
    "production_rate_o2plus",
    "production_rate_oplus",
    "production_rate_oneg",
    "production_rate_o",
    "production_rate_nplus",
    "production_rate_n2plus",
    "production_rate_n",
    "production_rate_n2d",
]
_NUMBERS = [
    "geodetic_latitude",
    "geodetic_longitude",
    "maxwellian_energy_flux",
    "maxwellian_characteristic_energy",
    "gaussian_energy_flux",
    "gaussian_peak_energy",
    "gaussian_spectral_width",
    "kappa_energy_flux",
    "kappa_mean_energy",
    "kappa_k_index",
    "exponential_energy_flux",
    "exponential_characteristic_energy",
    "exponential_starting_energy",
    "proton_energy_flux",
    "proton_characteristic_energy",
    "oxygen_correction_factor",
]
ARRAY = {"type": "array", "items": {"type": "number"}}
ATM_FORWARD_REQUEST = {
    "type": "object",
    "required": ["timestamp", "geodetic_latitude", "geodetic_longitude"],
    "additionalProperties": False,
    "properties": {
        "timestamp": TIME,
        **{k: {"type": "number"} for k in _NUMBERS},
        "d_region": {"type": "boolean"},
        "nrlmsis_model_version": {"enum": ["00", "2.0"]},
        "timescale_auroral": {"type": "integer"},
        "timescale_transport": {"type": "integer"},
        "custom_spectrum": {
            "type": "object",
            "required": ["energy", "flux"],
            "additionalProperties": False,
            "properties": {"energy": ARRAY, "flux": ARRAY},
        },
        "custom_neutral_profile": {
            "type": "object",
            "required": [
                "altitude",
                "o_density",
                "o2_density",
                "n2_density",
                "n_density",
                "no_density",
                "temperature",
            ],
            "additionalProperties": ARRAY,
        },
        "output": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: {"type": "boolean"} for k in ATM_FORWARD_OUTPUTS},
        },
        "no_cache": {"type": "boolean"},
    },
}
ATM_FORWARD_ANSWER = {
    "type": "object",
    "required": ["data", "request", "calculation_duration_ms"],
    "properties": {
        "data": {
            "type": "object",
            "properties": {
                k: (
                    {"type": ["number", "null"]}
                    if k.startswith("height")
                    else {"anyOf": [ARRAY, {"type": "null"}]}
                )
                for k in ATM_FORWARD_OUTPUTS
            },
        },
        "calculation_duration_ms": {"type": "number"},
    },
}
ATM_INVERSE_REQUEST = {
    "type": "object",
    "required": ["timestamp", "geodetic_latitude", "geodetic_longitude"],
    "additionalProperties": False,
    "properties": {
        "timestamp": TIME,
        "geodetic_latitude": {"type": "number"},
        "geodetic_longitude": {"type": "number"},
        **{f"intensity_{w}": {"type": "number"} for w in (4278, 5577, 6300, 8446)},
        "precipitation_flux_spectral_type": {"enum": ["gaussian", "maxwellian"]},
        "nrlmsis_model_version": {"enum": ["00", "2.0"]},
        "special_logic_keyword": {"type": "string"},
        "output": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                k: {"type": "boolean"}
                for k in (
                    "energy_flux",
                    "mean_energy",
                    "characteristic_energy",
                    "oxygen_correction_factor",
                )
            },
        },
        "no_cache": {"type": "boolean"},
    },
}
ATM_INVERSE_ANSWER = {
    "type": "object",
    "required": ["data", "request", "calculation_duration_ms"],
    "properties": {
        "data": {
            "type": "object",
            "properties": {
                k: {"type": ["number", "null"]}
                for k in (
                    "energy_flux",
                    "mean_energy",
                    "characteristic_energy",
                    "oxygen_correction_factor",
                )
            },
        },
    },
}
VALIDATION_ERROR = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "items": {"type": "object", "required": ["loc", "msg", "type"]},
        }
    },
}
