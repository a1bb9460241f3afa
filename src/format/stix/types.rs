//! The STIX 2.1 object types, as tables that read like the specification: each type's class and
//! its properties with their types, and which are required. Rules that a table cannot say (one of
//! two properties must be present, ...) are in `rules.rs`.

/// What kind of object a type is (STIX 2.1 §2.4–2.7, §7, §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectClass {
    /// STIX Domain Object (§4).
    Sdo,
    /// STIX Relationship Object (§5).
    Sro,
    /// STIX Cyber-observable Object (§6).
    Sco,
    /// language-content, marking-definition, extension-definition (§7).
    Meta,
    /// A custom object, type starting with `x-` (§11.2).
    Custom,
    /// A new object type defined by an extension-definition (§7.3, `new-sdo`, `new-sco`, `new-sro`).
    Extension,
    /// A type this guard does not know; the policy decides what happens to it.
    Unknown,
}

/// The type of a property's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    String,
    Boolean,
    /// An integer in an inclusive range.
    Integer(i64, i64),
    /// A number in an inclusive range.
    Float(f64, f64),
    Timestamp,
    /// A timestamp with at least millisecond precision (`created`, `modified`).
    TimestampMillis,
    /// An identifier of one of these types (any type when empty).
    Id(&'static [&'static str]),
    IdList(&'static [&'static str]),
    StringList,
    /// One of a closed vocabulary (an `-enum`).
    Enum(&'static [&'static str]),
    EnumList(&'static [&'static str]),
    Hashes,
    Dictionary,
    KillChainPhases,
    ExternalReferences,
    GranularMarkings,
    Extensions,
    /// A language tag (RFC 5646).
    Lang,
    /// Base64 binary (§2.2).
    Binary,
    /// Hexadecimal (§2.5).
    Hex,
    /// A list of objects (structure checked by the type's own rules, if any).
    ObjectList,
    /// An object (structure checked by the type's own rules, if any).
    Object,
    /// A sub-structure the specification defines (an extension, a MIME part, a registry value...).
    Struct(&'static Shape),
    /// A non-empty list of one sub-structure.
    StructList(&'static Shape),
    /// A dictionary whose values are all strings.
    StringDictionary,
    /// `observed-data.objects` (§4.13, deprecated): a dictionary of SCOs, each checked as one by
    /// the observed-data rules.
    EmbeddedObjects,
}

/// A sub-structure of an object: its defined properties (others must be custom properties), and
/// the groups of which at least one, or exactly one, must be present.
#[derive(Debug, PartialEq)]
pub struct Shape {
    /// What the specification calls it, for errors (`archive-ext`, `mime-part-type`, ...).
    pub name: &'static str,
    pub props: &'static [Prop],
    /// At least one of these (none when empty).
    pub any_of: &'static [&'static str],
    /// Exactly one of these (none when empty).
    pub one_of: &'static [&'static str],
}

/// A property of a type: name, value type, required.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prop {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

const fn req(name: &'static str, ty: Ty) -> Prop {
    Prop {
        name,
        ty,
        required: true,
    }
}
const fn opt(name: &'static str, ty: Ty) -> Prop {
    Prop {
        name,
        ty,
        required: false,
    }
}

/// A type: its name, class, and specific properties (the common ones come from its class).
#[derive(Debug)]
pub struct TypeDef {
    pub name: &'static str,
    pub class: ObjectClass,
    pub props: &'static [Prop],
}

use ObjectClass::*;
use Ty::*;

const ANY: &[&str] = &[];
const IDENTITY: &[&str] = &["identity"];
const MARKING: &[&str] = &["marking-definition"];

/// §3.2 (Common Properties) for SDOs, SROs and the meta objects that share them.
pub const SDO_COMMON: &[Prop] = &[
    req("type", String),
    req("spec_version", Enum(&["2.1"])),
    req("id", Id(ANY)),
    opt("created_by_ref", Id(IDENTITY)),
    req("created", TimestampMillis),
    req("modified", TimestampMillis),
    opt("revoked", Boolean),
    opt("labels", StringList),
    opt("confidence", Integer(0, 100)),
    opt("lang", Lang),
    opt("external_references", ExternalReferences),
    opt("object_marking_refs", IdList(MARKING)),
    opt("granular_markings", GranularMarkings),
    opt("extensions", Extensions),
];

/// §6.1 common properties of SCOs.
pub const SCO_COMMON: &[Prop] = &[
    req("type", String),
    opt("spec_version", Enum(&["2.1"])),
    req("id", Id(ANY)),
    opt("object_marking_refs", IdList(MARKING)),
    opt("granular_markings", GranularMarkings),
    opt("defanged", Boolean),
    opt("extensions", Extensions),
];

/// §7.2.1 marking-definition has its own, smaller set of common properties (no `modified`).
pub const MARKING_COMMON: &[Prop] = &[
    req("type", String),
    req("spec_version", Enum(&["2.1"])),
    req("id", Id(ANY)),
    opt("created_by_ref", Id(IDENTITY)),
    // The marking-definition schema types `created` as a plain timestamp (ACS 3.0's examples
    // are to the second): the millisecond MUST of §3.2 is for the SDO/SRO common properties.
    req("created", Timestamp),
    opt("external_references", ExternalReferences),
    opt("object_marking_refs", IdList(MARKING)),
    opt("granular_markings", GranularMarkings),
    opt("extensions", Extensions),
];

const NAME: Prop = req("name", String);
const DESCRIPTION: Prop = opt("description", String);
const ALIASES: Prop = opt("aliases", StringList);
const KILL_CHAIN: Prop = opt("kill_chain_phases", KillChainPhases);
const FIRST_SEEN: Prop = opt("first_seen", Timestamp);
const LAST_SEEN: Prop = opt("last_seen", Timestamp);
const OBJECT_REFS: Prop = req("object_refs", IdList(ANY));
const COUNT: Ty = Integer(0, 999_999_999);
const PORT: Ty = Integer(0, 65_535);
/// §2.5 integer: "all integers MUST be capable of being represented as a signed 54-bit value
/// ([-(2**53)+2, (2**53)-1])".
pub const INT_MIN: i64 = -(1 << 53) + 2;
pub const INT_MAX: i64 = (1 << 53) - 1;
const UNSIGNED: Ty = Integer(0, INT_MAX);
const INTEGER: Ty = Integer(INT_MIN, INT_MAX);
const SOFTWARE: &[&str] = &["software"];
const ADDRESSES: &[&str] = &["ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"];

/// Every type STIX 2.1 defines, in the specification's order.
pub const TYPES: &[TypeDef] = &[
    // §4 STIX Domain Objects
    TypeDef {
        name: "attack-pattern",
        class: Sdo,
        props: &[NAME, DESCRIPTION, ALIASES, KILL_CHAIN],
    },
    TypeDef {
        name: "campaign",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            ALIASES,
            FIRST_SEEN,
            LAST_SEEN,
            opt("objective", String),
        ],
    },
    TypeDef {
        name: "course-of-action",
        class: Sdo,
        props: &[NAME, DESCRIPTION],
    },
    TypeDef {
        name: "grouping",
        class: Sdo,
        props: &[opt("name", String), DESCRIPTION, req("context", String), OBJECT_REFS],
    },
    TypeDef {
        name: "identity",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("roles", StringList),
            opt("identity_class", String),
            opt("sectors", StringList),
            opt("contact_information", String),
        ],
    },
    TypeDef {
        name: "incident",
        class: Sdo,
        props: &[NAME, DESCRIPTION, KILL_CHAIN],
    },
    TypeDef {
        name: "indicator",
        class: Sdo,
        props: &[
            opt("name", String),
            DESCRIPTION,
            opt("indicator_types", StringList),
            req("pattern", String),
            req("pattern_type", String),
            opt("pattern_version", String),
            req("valid_from", Timestamp),
            opt("valid_until", Timestamp),
            KILL_CHAIN,
        ],
    },
    TypeDef {
        name: "infrastructure",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("infrastructure_types", StringList),
            ALIASES,
            KILL_CHAIN,
            FIRST_SEEN,
            LAST_SEEN,
        ],
    },
    TypeDef {
        name: "intrusion-set",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            ALIASES,
            FIRST_SEEN,
            LAST_SEEN,
            opt("goals", StringList),
            opt("resource_level", String),
            opt("primary_motivation", String),
            opt("secondary_motivations", StringList),
        ],
    },
    TypeDef {
        name: "location",
        class: Sdo,
        props: &[
            opt("name", String),
            DESCRIPTION,
            opt("latitude", Float(-90.0, 90.0)),
            opt("longitude", Float(-180.0, 180.0)),
            opt("precision", Float(0.0, f64::MAX)),
            opt("region", String),
            opt("country", String),
            opt("administrative_area", String),
            opt("city", String),
            opt("street_address", String),
            opt("postal_code", String),
        ],
    },
    TypeDef {
        name: "malware",
        class: Sdo,
        props: &[
            opt("name", String),
            DESCRIPTION,
            opt("malware_types", StringList),
            req("is_family", Boolean),
            ALIASES,
            KILL_CHAIN,
            FIRST_SEEN,
            LAST_SEEN,
            opt("operating_system_refs", IdList(SOFTWARE)),
            opt("architecture_execution_envs", StringList),
            opt("implementation_languages", StringList),
            opt("capabilities", StringList),
            opt("sample_refs", IdList(&["file", "artifact"])),
        ],
    },
    TypeDef {
        name: "malware-analysis",
        class: Sdo,
        props: &[
            req("product", String),
            opt("version", String),
            opt("host_vm_ref", Id(SOFTWARE)),
            opt("operating_system_ref", Id(SOFTWARE)),
            opt("installed_software_refs", IdList(SOFTWARE)),
            opt("configuration_version", String),
            opt("modules", StringList),
            opt("analysis_engine_version", String),
            opt("analysis_definition_version", String),
            opt("submitted", Timestamp),
            opt("analysis_started", Timestamp),
            opt("analysis_ended", Timestamp),
            opt("result_name", String),
            opt("result", String),
            opt("analysis_sco_refs", IdList(ANY)),
            opt("sample_ref", Id(ANY)),
        ],
    },
    TypeDef {
        name: "note",
        class: Sdo,
        props: &[
            opt("abstract", String),
            req("content", String),
            opt("authors", StringList),
            OBJECT_REFS,
        ],
    },
    TypeDef {
        name: "observed-data",
        class: Sdo,
        props: &[
            req("first_observed", Timestamp),
            req("last_observed", Timestamp),
            req("number_observed", Integer(1, 999_999_999)),
            opt("objects", EmbeddedObjects),
            opt("object_refs", IdList(ANY)),
        ],
    },
    TypeDef {
        name: "opinion",
        class: Sdo,
        props: &[
            opt("explanation", String),
            opt("authors", StringList),
            req(
                "opinion",
                Enum(&["strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"]),
            ),
            OBJECT_REFS,
        ],
    },
    TypeDef {
        name: "report",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("report_types", StringList),
            req("published", Timestamp),
            OBJECT_REFS,
        ],
    },
    TypeDef {
        name: "threat-actor",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("threat_actor_types", StringList),
            ALIASES,
            FIRST_SEEN,
            LAST_SEEN,
            opt("roles", StringList),
            opt("goals", StringList),
            opt("sophistication", String),
            opt("resource_level", String),
            opt("primary_motivation", String),
            opt("secondary_motivations", StringList),
            opt("personal_motivations", StringList),
        ],
    },
    TypeDef {
        name: "tool",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("tool_types", StringList),
            ALIASES,
            KILL_CHAIN,
            opt("tool_version", String),
        ],
    },
    TypeDef {
        name: "vulnerability",
        class: Sdo,
        props: &[NAME, DESCRIPTION],
    },
    // §5 STIX Relationship Objects
    TypeDef {
        name: "relationship",
        class: Sro,
        props: &[
            req("relationship_type", String),
            DESCRIPTION,
            req("source_ref", Id(ANY)),
            req("target_ref", Id(ANY)),
            opt("start_time", Timestamp),
            opt("stop_time", Timestamp),
        ],
    },
    TypeDef {
        name: "sighting",
        class: Sro,
        props: &[
            DESCRIPTION,
            FIRST_SEEN,
            LAST_SEEN,
            opt("count", COUNT),
            req("sighting_of_ref", Id(ANY)),
            opt("observed_data_refs", IdList(&["observed-data"])),
            opt("where_sighted_refs", IdList(&["identity", "location"])),
            opt("summary", Boolean),
        ],
    },
    // §6 STIX Cyber-observable Objects
    TypeDef {
        name: "artifact",
        class: Sco,
        props: &[
            opt("mime_type", String),
            opt("payload_bin", Binary),
            opt("url", String),
            opt("hashes", Hashes),
            opt(
                "encryption_algorithm",
                Enum(&["AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"]),
            ),
            opt("decryption_key", String),
        ],
    },
    TypeDef {
        name: "autonomous-system",
        class: Sco,
        props: &[req("number", UNSIGNED), opt("name", String), opt("rir", String)],
    },
    TypeDef {
        name: "directory",
        class: Sco,
        props: &[
            req("path", String),
            opt("path_enc", String),
            opt("ctime", Timestamp),
            opt("mtime", Timestamp),
            opt("atime", Timestamp),
            opt("contains_refs", IdList(&["file", "directory"])),
        ],
    },
    TypeDef {
        name: "domain-name",
        class: Sco,
        props: &[req("value", String), opt("resolves_to_refs", IdList(ADDRESSES))],
    },
    TypeDef {
        name: "email-addr",
        class: Sco,
        props: &[
            req("value", String),
            opt("display_name", String),
            opt("belongs_to_ref", Id(&["user-account"])),
        ],
    },
    TypeDef {
        name: "email-message",
        class: Sco,
        props: &[
            req("is_multipart", Boolean),
            opt("date", Timestamp),
            opt("content_type", String),
            opt("from_ref", Id(&["email-addr"])),
            opt("sender_ref", Id(&["email-addr"])),
            opt("to_refs", IdList(&["email-addr"])),
            opt("cc_refs", IdList(&["email-addr"])),
            opt("bcc_refs", IdList(&["email-addr"])),
            opt("message_id", String),
            opt("subject", String),
            opt("received_lines", StringList),
            opt("additional_header_fields", Dictionary),
            opt("body", String),
            opt("body_multipart", StructList(&MIME_PART)),
            opt("raw_email_ref", Id(&["artifact"])),
        ],
    },
    TypeDef {
        name: "file",
        class: Sco,
        props: &[
            opt("hashes", Hashes),
            opt("size", UNSIGNED),
            opt("name", String),
            opt("name_enc", String),
            opt("magic_number_hex", Hex),
            opt("mime_type", String),
            opt("ctime", Timestamp),
            opt("mtime", Timestamp),
            opt("atime", Timestamp),
            opt("parent_directory_ref", Id(&["directory"])),
            opt("contains_refs", IdList(ANY)),
            opt("content_ref", Id(&["artifact"])),
        ],
    },
    TypeDef {
        name: "ipv4-addr",
        class: Sco,
        props: &[
            req("value", String),
            opt("resolves_to_refs", IdList(&["mac-addr"])),
            opt("belongs_to_refs", IdList(&["autonomous-system"])),
        ],
    },
    TypeDef {
        name: "ipv6-addr",
        class: Sco,
        props: &[
            req("value", String),
            opt("resolves_to_refs", IdList(&["mac-addr"])),
            opt("belongs_to_refs", IdList(&["autonomous-system"])),
        ],
    },
    TypeDef {
        name: "mac-addr",
        class: Sco,
        props: &[req("value", String)],
    },
    TypeDef {
        name: "mutex",
        class: Sco,
        props: &[req("name", String)],
    },
    TypeDef {
        name: "network-traffic",
        class: Sco,
        props: &[
            opt("start", Timestamp),
            opt("end", Timestamp),
            opt("is_active", Boolean),
            opt("src_ref", Id(ADDRESSES)),
            opt("dst_ref", Id(ADDRESSES)),
            opt("src_port", PORT),
            opt("dst_port", PORT),
            req("protocols", StringList),
            opt("src_byte_count", UNSIGNED),
            opt("dst_byte_count", UNSIGNED),
            opt("src_packets", UNSIGNED),
            opt("dst_packets", UNSIGNED),
            opt("ipfix", Dictionary),
            opt("src_payload_ref", Id(&["artifact"])),
            opt("dst_payload_ref", Id(&["artifact"])),
            opt("encapsulates_refs", IdList(&["network-traffic"])),
            opt("encapsulated_by_ref", Id(&["network-traffic"])),
        ],
    },
    TypeDef {
        name: "process",
        class: Sco,
        props: &[
            opt("is_hidden", Boolean),
            opt("pid", INTEGER),
            opt("created_time", Timestamp),
            opt("cwd", String),
            opt("command_line", String),
            opt("environment_variables", Dictionary),
            opt("opened_connection_refs", IdList(&["network-traffic"])),
            opt("creator_user_ref", Id(&["user-account"])),
            opt("image_ref", Id(&["file"])),
            opt("parent_ref", Id(&["process"])),
            opt("child_refs", IdList(&["process"])),
        ],
    },
    TypeDef {
        name: "software",
        class: Sco,
        props: &[
            req("name", String),
            opt("cpe", String),
            opt("swid", String),
            opt("languages", StringList),
            opt("vendor", String),
            opt("version", String),
        ],
    },
    TypeDef {
        name: "url",
        class: Sco,
        props: &[req("value", String)],
    },
    TypeDef {
        name: "user-account",
        class: Sco,
        props: &[
            opt("user_id", String),
            opt("credential", String),
            opt("account_login", String),
            opt("account_type", String),
            opt("display_name", String),
            opt("is_service_account", Boolean),
            opt("is_privileged", Boolean),
            opt("can_escalate_privs", Boolean),
            opt("is_disabled", Boolean),
            opt("account_created", Timestamp),
            opt("account_expires", Timestamp),
            opt("credential_last_changed", Timestamp),
            opt("account_first_login", Timestamp),
            opt("account_last_login", Timestamp),
        ],
    },
    TypeDef {
        name: "windows-registry-key",
        class: Sco,
        props: &[
            opt("key", String),
            opt("values", StructList(&REGISTRY_VALUE)),
            opt("modified_time", Timestamp),
            opt("creator_user_ref", Id(&["user-account"])),
            opt("number_of_subkeys", UNSIGNED),
        ],
    },
    TypeDef {
        name: "x509-certificate",
        class: Sco,
        props: &[
            opt("is_self_signed", Boolean),
            opt("hashes", Hashes),
            opt("version", String),
            opt("serial_number", String),
            opt("signature_algorithm", String),
            opt("issuer", String),
            opt("validity_not_before", Timestamp),
            opt("validity_not_after", Timestamp),
            opt("subject", String),
            opt("subject_public_key_algorithm", String),
            opt("subject_public_key_modulus", String),
            opt("subject_public_key_exponent", UNSIGNED),
            opt("x509_v3_extensions", Struct(&X509_V3_EXTENSIONS)),
        ],
    },
    // §7 Meta objects
    TypeDef {
        name: "language-content",
        class: Meta,
        props: &[
            req("object_ref", Id(ANY)),
            opt("object_modified", Timestamp),
            req("contents", Dictionary),
        ],
    },
    TypeDef {
        name: "marking-definition",
        class: Meta,
        props: &[
            opt("name", String),
            opt("definition_type", String),
            opt("definition", Object),
        ],
    },
    TypeDef {
        name: "extension-definition",
        class: Meta,
        props: &[
            NAME,
            DESCRIPTION,
            req("schema", String),
            req("version", String),
            req(
                "extension_types",
                EnumList(&[
                    "new-sdo",
                    "new-sco",
                    "new-sro",
                    "property-extension",
                    "toplevel-property-extension",
                ]),
            ),
            opt("extension_properties", StringList),
        ],
    },
];

/// The definition of a type STIX 2.1 defines.
pub fn lookup(name: &str) -> Option<&'static TypeDef> {
    TYPES.iter().find(|t| t.name == name)
}

/// The common properties of a class of objects.
pub fn common(def: &TypeDef) -> &'static [Prop] {
    match (def.class, def.name) {
        (_, "marking-definition") => MARKING_COMMON,
        (Sco, _) => SCO_COMMON,
        _ => SDO_COMMON,
    }
}

/// The predefined SCO extensions (§6, each object's "Extensions" section): name, the SCO type
/// it extends, and its structure.
pub const PREDEFINED_EXTENSIONS: &[(&str, &str, &Shape)] = &[
    ("archive-ext", "file", &ARCHIVE_EXT),
    ("ntfs-ext", "file", &NTFS_EXT),
    ("pdf-ext", "file", &PDF_EXT),
    ("raster-image-ext", "file", &RASTER_IMAGE_EXT),
    ("windows-pebinary-ext", "file", &WINDOWS_PEBINARY_EXT),
    ("http-request-ext", "network-traffic", &HTTP_REQUEST_EXT),
    ("icmp-ext", "network-traffic", &ICMP_EXT),
    ("socket-ext", "network-traffic", &SOCKET_EXT),
    ("tcp-ext", "network-traffic", &TCP_EXT),
    ("unix-account-ext", "user-account", &UNIX_ACCOUNT_EXT),
    ("windows-process-ext", "process", &WINDOWS_PROCESS_EXT),
    ("windows-service-ext", "process", &WINDOWS_SERVICE_EXT),
];

/// §6.7.2 Archive File Extension.
pub const ARCHIVE_EXT: Shape = Shape {
    name: "archive-ext",
    props: &[
        req("contains_refs", IdList(&["file", "directory"])),
        opt("comment", String),
    ],
    any_of: &[],
    one_of: &[],
};

/// §6.7.3 NTFS File Extension: at least one of `sid`, `alternate_data_streams`.
pub const NTFS_EXT: Shape = Shape {
    name: "ntfs-ext",
    props: &[
        opt("sid", String),
        opt("alternate_data_streams", StructList(&ALTERNATE_DATA_STREAM)),
    ],
    any_of: &["sid", "alternate_data_streams"],
    one_of: &[],
};

/// §6.7.3.1 Alternate Data Stream Type.
pub const ALTERNATE_DATA_STREAM: Shape = Shape {
    name: "alternate-data-stream-type",
    props: &[req("name", String), opt("hashes", Hashes), opt("size", UNSIGNED)],
    any_of: &[],
    one_of: &[],
};

/// §6.7.4 PDF File Extension: at least one property.
pub const PDF_EXT: Shape = Shape {
    name: "pdf-ext",
    props: &[
        opt("version", String),
        opt("is_optimized", Boolean),
        opt("document_info_dict", StringDictionary),
        opt("pdfid0", String),
        opt("pdfid1", String),
    ],
    any_of: &["version", "is_optimized", "document_info_dict", "pdfid0", "pdfid1"],
    one_of: &[],
};

/// §6.7.5 Raster Image File Extension: at least one property.
pub const RASTER_IMAGE_EXT: Shape = Shape {
    name: "raster-image-ext",
    props: &[
        opt("image_height", INTEGER),
        opt("image_width", INTEGER),
        opt("bits_per_pixel", INTEGER),
        opt("exif_tags", Dictionary),
    ],
    any_of: &["image_height", "image_width", "bits_per_pixel", "exif_tags"],
    one_of: &[],
};

/// §6.7.6 Windows PE Binary File Extension: `pe_type`, and at least one other property.
pub const WINDOWS_PEBINARY_EXT: Shape = Shape {
    name: "windows-pebinary-ext",
    props: &[
        req("pe_type", String),
        opt("imphash", String),
        opt("machine_hex", Hex),
        opt("number_of_sections", UNSIGNED),
        opt("time_date_stamp", Timestamp),
        opt("pointer_to_symbol_table_hex", Hex),
        opt("number_of_symbols", UNSIGNED),
        opt("size_of_optional_header", UNSIGNED),
        opt("characteristics_hex", Hex),
        opt("file_header_hashes", Hashes),
        opt("optional_header", Struct(&WINDOWS_PE_OPTIONAL_HEADER)),
        opt("sections", StructList(&WINDOWS_PE_SECTION)),
    ],
    any_of: &[
        "imphash",
        "machine_hex",
        "number_of_sections",
        "time_date_stamp",
        "pointer_to_symbol_table_hex",
        "number_of_symbols",
        "size_of_optional_header",
        "characteristics_hex",
        "file_header_hashes",
        "optional_header",
        "sections",
    ],
    one_of: &[],
};

/// §6.7.6.1 Windows PE Optional Header Type: at least one property.
pub const WINDOWS_PE_OPTIONAL_HEADER: Shape = Shape {
    name: "windows-pe-optional-header-type",
    props: &[
        opt("magic_hex", Hex),
        opt("major_linker_version", INTEGER),
        opt("minor_linker_version", INTEGER),
        opt("size_of_code", UNSIGNED),
        opt("size_of_initialized_data", UNSIGNED),
        opt("size_of_uninitialized_data", UNSIGNED),
        opt("address_of_entry_point", INTEGER),
        opt("base_of_code", INTEGER),
        opt("base_of_data", INTEGER),
        opt("image_base", INTEGER),
        opt("section_alignment", INTEGER),
        opt("file_alignment", INTEGER),
        opt("major_os_version", INTEGER),
        opt("minor_os_version", INTEGER),
        opt("major_image_version", INTEGER),
        opt("minor_image_version", INTEGER),
        opt("major_subsystem_version", INTEGER),
        opt("minor_subsystem_version", INTEGER),
        opt("win32_version_value_hex", Hex),
        opt("size_of_image", UNSIGNED),
        opt("size_of_headers", UNSIGNED),
        opt("checksum_hex", Hex),
        opt("subsystem_hex", Hex),
        opt("dll_characteristics_hex", Hex),
        opt("size_of_stack_reserve", UNSIGNED),
        opt("size_of_stack_commit", UNSIGNED),
        opt("size_of_heap_reserve", UNSIGNED),
        opt("size_of_heap_commit", UNSIGNED),
        opt("loader_flags_hex", Hex),
        opt("number_of_rva_and_sizes", INTEGER),
        opt("hashes", Hashes),
    ],
    any_of: &[],
    one_of: &[],
};

/// §6.7.6.2 Windows PE Section Type.
pub const WINDOWS_PE_SECTION: Shape = Shape {
    name: "windows-pe-section-type",
    props: &[
        req("name", String),
        opt("size", UNSIGNED),
        opt("entropy", Float(f64::MIN, f64::MAX)),
        opt("hashes", Hashes),
    ],
    any_of: &[],
    one_of: &[],
};

/// §6.12.2 HTTP Request Extension.
pub const HTTP_REQUEST_EXT: Shape = Shape {
    name: "http-request-ext",
    props: &[
        req("request_method", String),
        req("request_value", String),
        opt("request_version", String),
        opt("request_header", Dictionary),
        opt("message_body_length", INTEGER),
        opt("message_body_data_ref", Id(&["artifact"])),
    ],
    any_of: &[],
    one_of: &[],
};

/// §6.12.3 ICMP Extension.
pub const ICMP_EXT: Shape = Shape {
    name: "icmp-ext",
    props: &[req("icmp_type_hex", Hex), req("icmp_code_hex", Hex)],
    any_of: &[],
    one_of: &[],
};

/// §6.12.4 Network Socket Extension.
pub const SOCKET_EXT: Shape = Shape {
    name: "socket-ext",
    props: &[
        req(
            "address_family",
            Enum(&[
                "AF_UNSPEC",
                "AF_INET",
                "AF_IPX",
                "AF_APPLETALK",
                "AF_NETBIOS",
                "AF_INET6",
                "AF_IRDA",
                "AF_BTH",
            ]),
        ),
        opt("is_blocking", Boolean),
        opt("is_listening", Boolean),
        opt("options", Dictionary),
        opt(
            "socket_type",
            Enum(&["SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET"]),
        ),
        opt("socket_descriptor", UNSIGNED),
        opt("socket_handle", INTEGER),
    ],
    any_of: &[],
    one_of: &[],
};

/// §6.12.5 TCP Extension: at least one of the flags.
pub const TCP_EXT: Shape = Shape {
    name: "tcp-ext",
    props: &[opt("src_flags_hex", Hex), opt("dst_flags_hex", Hex)],
    any_of: &["src_flags_hex", "dst_flags_hex"],
    one_of: &[],
};

/// §6.15.2 UNIX Account Extension: at least one property.
pub const UNIX_ACCOUNT_EXT: Shape = Shape {
    name: "unix-account-ext",
    props: &[
        opt("gid", INTEGER),
        opt("groups", StringList),
        opt("home_dir", String),
        opt("shell", String),
    ],
    any_of: &["gid", "groups", "home_dir", "shell"],
    one_of: &[],
};

/// §6.13.2 Windows Process Extension: at least one property.
pub const WINDOWS_PROCESS_EXT: Shape = Shape {
    name: "windows-process-ext",
    props: &[
        opt("aslr_enabled", Boolean),
        opt("dep_enabled", Boolean),
        opt("priority", String),
        opt("owner_sid", String),
        opt("window_title", String),
        opt("startup_info", Dictionary),
        opt("integrity_level", Enum(&["low", "medium", "high", "system"])),
    ],
    any_of: &[
        "aslr_enabled",
        "dep_enabled",
        "priority",
        "owner_sid",
        "window_title",
        "startup_info",
        "integrity_level",
    ],
    one_of: &[],
};

/// §6.13.3 Windows Service Extension: at least one property.
pub const WINDOWS_SERVICE_EXT: Shape = Shape {
    name: "windows-service-ext",
    props: &[
        opt("service_name", String),
        opt("descriptions", StringList),
        opt("display_name", String),
        opt("group_name", String),
        opt(
            "start_type",
            Enum(&[
                "SERVICE_AUTO_START",
                "SERVICE_BOOT_START",
                "SERVICE_DEMAND_START",
                "SERVICE_DISABLED",
                "SERVICE_SYSTEM_ALERT",
            ]),
        ),
        opt("service_dll_refs", IdList(&["file"])),
        opt(
            "service_type",
            Enum(&[
                "SERVICE_KERNEL_DRIVER",
                "SERVICE_FILE_SYSTEM_DRIVER",
                "SERVICE_WIN32_OWN_PROCESS",
                "SERVICE_WIN32_SHARE_PROCESS",
            ]),
        ),
        opt(
            "service_status",
            Enum(&[
                "SERVICE_CONTINUE_PENDING",
                "SERVICE_PAUSE_PENDING",
                "SERVICE_PAUSED",
                "SERVICE_RUNNING",
                "SERVICE_START_PENDING",
                "SERVICE_STOP_PENDING",
                "SERVICE_STOPPED",
            ]),
        ),
    ],
    any_of: &[
        "service_name",
        "descriptions",
        "display_name",
        "group_name",
        "start_type",
        "service_dll_refs",
        "service_type",
        "service_status",
    ],
    one_of: &[],
};

/// §6.5.2 (email-message) MIME Component Object: exactly one of `body`, `body_raw_ref`.
pub const MIME_PART: Shape = Shape {
    name: "mime-part-type",
    props: &[
        opt("body", String),
        opt("body_raw_ref", Id(&["artifact", "file"])),
        opt("content_type", String),
        opt("content_disposition", String),
    ],
    any_of: &[],
    one_of: &["body", "body_raw_ref"],
};

/// §6.16.2 Windows Registry Value Type: at least one property.
pub const REGISTRY_VALUE: Shape = Shape {
    name: "windows-registry-value-type",
    props: &[
        opt("name", String),
        opt("data", String),
        opt(
            "data_type",
            Enum(&[
                "REG_NONE",
                "REG_SZ",
                "REG_EXPAND_SZ",
                "REG_BINARY",
                "REG_DWORD",
                "REG_DWORD_BIG_ENDIAN",
                "REG_DWORD_LITTLE_ENDIAN",
                "REG_LINK",
                "REG_MULTI_SZ",
                "REG_RESOURCE_LIST",
                "REG_FULL_RESOURCE_DESCRIPTION",
                "REG_RESOURCE_REQUIREMENTS_LIST",
                "REG_QWORD",
                "REG_INVALID_TYPE",
            ]),
        ),
    ],
    any_of: &["name", "data", "data_type"],
    one_of: &[],
};

/// §6.17.2 X.509 v3 Extensions Type: at least one property.
pub const X509_V3_EXTENSIONS: Shape = Shape {
    name: "x509-v3-extensions-type",
    props: &[
        opt("basic_constraints", String),
        opt("name_constraints", String),
        opt("policy_constraints", String),
        opt("key_usage", String),
        opt("extended_key_usage", String),
        opt("subject_key_identifier", String),
        opt("authority_key_identifier", String),
        opt("subject_alternative_name", String),
        opt("issuer_alternative_name", String),
        opt("subject_directory_attributes", String),
        opt("crl_distribution_points", String),
        opt("inhibit_any_policy", String),
        opt("private_key_usage_period_not_before", Timestamp),
        opt("private_key_usage_period_not_after", Timestamp),
        opt("certificate_policies", String),
        opt("policy_mappings", String),
    ],
    any_of: &[
        "basic_constraints",
        "name_constraints",
        "policy_constraints",
        "key_usage",
        "extended_key_usage",
        "subject_key_identifier",
        "authority_key_identifier",
        "subject_alternative_name",
        "issuer_alternative_name",
        "subject_directory_attributes",
        "crl_distribution_points",
        "inhibit_any_policy",
        "private_key_usage_period_not_before",
        "private_key_usage_period_not_after",
        "certificate_policies",
        "policy_mappings",
    ],
    one_of: &[],
};

/// The predefined extension `name` on an SCO of type `on`, if STIX 2.1 defines it there.
pub fn predefined_extension(name: &str, on: &str) -> Option<&'static Shape> {
    PREDEFINED_EXTENSIONS
        .iter()
        .find(|(n, t, _)| *n == name && *t == on)
        .map(|(_, _, shape)| *shape)
}

/// Hash algorithms whose values have a fixed hexadecimal length (§10.7, hashing-algorithm-ov).
pub const HASH_LENGTHS: &[(&str, usize)] = &[
    ("MD5", 32),
    ("SHA-1", 40),
    ("SHA-256", 64),
    ("SHA-512", 128),
    ("SHA3-256", 64),
    ("SHA3-512", 128),
];

/// §10.7 hashing-algorithm-ov: the vocabulary's names, matched exactly (case included).
pub const HASH_ALGORITHMS: &[&str] = &[
    "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH",
];

/// Property names STIX 2.1 reserves (the schemas' `core.json`: `not required`): no object may
/// use them.
pub const RESERVED_PROPERTIES: &[&str] = &["severity", "action", "username", "phone_numbers"];

/// Object types STIX 2.1 reserves: `action`.
pub const RESERVED_TYPES: &[&str] = &["action"];

/// For SCOs whose ID-contributing properties are all optional: those properties (§2.9: with none
/// of them, the id MUST be a UUIDv4). `process` has none, so its ids are always UUIDv4.
pub const ID_CONTRIBUTING: &[(&str, &[&str])] = &[
    ("artifact", &["hashes", "payload_bin"]),
    ("email-message", &["from_ref", "subject", "body"]),
    ("user-account", &["account_type", "user_id", "account_login"]),
    ("windows-registry-key", &["key", "values"]),
    ("x509-certificate", &["hashes", "serial_number"]),
    ("process", &[]),
];
