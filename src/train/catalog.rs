//! Splitting an Amazon "Scientific" product text (`"title. category path. brand. "`) into title,
//! department and brand for the model's display metadata.
//!
//! The category path starts with the root `"Industrial & Scientific "`, shared by almost every
//! item, and its levels are not delimited ("… Abrasive & Finishing Products Manual Sanding
//! Products …"), so the department (the second level) is found by the longest match against
//! Amazon's fixed list of Industrial & Scientific departments. Titles and brands may themselves
//! contain `". "` ("Mr. Heater"), so the path is located by its root, not by splitting on dots.

/// Root of every category path in this dataset.
pub const PATH_ROOT: &str = "Industrial & Scientific ";

/// Category of items without a path or whose department is not in [`DEPARTMENTS`].
pub const OTHER: &str = "Other";

/// Amazon's Industrial & Scientific departments (the second level of the category path).
/// Every department that occurs in `data/scientific/Scientific.text` is in this list.
pub const DEPARTMENTS: [&str; 25] = [
    "Abrasive & Finishing Products",
    "Additive Manufacturing Products",
    "Commercial Door Products",
    "Cutting Tools",
    "Fasteners",
    "Filtration",
    "Food Service Equipment & Supplies",
    "Hydraulics, Pneumatics & Plumbing",
    "Industrial Electrical",
    "Industrial Hardware",
    "Industrial Power & Hand Tools",
    "Janitorial & Sanitation Supplies",
    "Lab & Scientific Products",
    "Material Handling Products",
    "Occupational Health & Safety Products",
    "Packaging & Shipping Supplies",
    "Power Transmission Products",
    "Professional Dental Supplies",
    "Professional Medical Supplies",
    "Raw Materials",
    "Retail Store Fixtures & Equipment",
    "Robotics",
    "Science Education",
    "Tapes, Adhesives & Sealants",
    "Test, Measure & Inspect",
];

/// One product's display fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Product {
    pub title: String,
    /// One of [`DEPARTMENTS`] or [`OTHER`].
    pub category: String,
    pub brand: String,
}

/// Removes surrounding whitespace and one trailing `.` (the field terminator).
fn field(s: &str) -> String {
    let s = s.trim();
    s.strip_suffix('.').unwrap_or(s).trim().to_owned()
}

/// The longest department that the path remainder starts with, as a whole word sequence.
pub fn department(path_rest: &str) -> &'static str {
    DEPARTMENTS
        .iter()
        .filter(|d| {
            path_rest
                .strip_prefix(**d)
                .is_some_and(|after| after.is_empty() || after.starts_with(' '))
        })
        .max_by_key(|d| d.len())
        .copied()
        .unwrap_or(OTHER)
}

/// Byte offset of the category path: the last [`PATH_ROOT`] that starts the text or follows
/// `". "` (some titles are a stray `"Industrial & Scientific />"`).
fn path_start(text: &str) -> Option<usize> {
    text.match_indices(PATH_ROOT)
        .map(|(p, _)| p)
        .filter(|&p| p == 0 || text[..p].ends_with(". "))
        .last()
}

impl Product {
    /// Parses `"title. category path. brand. "`; never fails (missing parts become empty or
    /// [`OTHER`]).
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if let Some(start) = path_start(text) {
            let path = &text[start + PATH_ROOT.len()..];
            let (rest, brand) = path.split_once(". ").unwrap_or((path, ""));
            return Self {
                title: field(&text[..start]),
                category: department(field(rest).as_str()).to_owned(),
                brand: field(brand),
            };
        }
        // No path: "title. . brand. " (an empty category between the dots).
        let (title, brand) = text.split_once(". . ").unwrap_or((text, ""));
        Self {
            title: field(title),
            category: OTHER.to_owned(),
            brand: field(brand),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(title: &str, category: &str, brand: &str) -> Product {
        Product {
            title: title.into(),
            category: category.into(),
            brand: brand.into(),
        }
    }

    #[test]
    fn splits_a_typical_line() {
        let p = Product::parse("PORTER-CABLE 740000801 4 1/2-Inch x 10yd 80 Grit Adhesive-Backed Sanding Roll. Industrial & Scientific Abrasive & Finishing Products Manual Sanding Products Sanding Rolls. PORTER-CABLE. ");
        let title = "PORTER-CABLE 740000801 4 1/2-Inch x 10yd 80 Grit Adhesive-Backed Sanding Roll";
        assert_eq!(
            p,
            product(title, "Abrasive & Finishing Products", "PORTER-CABLE")
        );
    }

    #[test]
    fn keeps_dots_inside_title_and_brand() {
        let p = Product::parse("Mr. Heater Propane/Natural Gas Connector Kit 3/8 Male Pipe Thread x 3/8 Female Pipe Thread. Industrial & Scientific Hydraulics, Pneumatics & Plumbing Fittings Pipe Fittings. Mr. Heater. ");
        assert!(p.title.starts_with("Mr. Heater Propane"), "{p:?}");
        assert_eq!(p.category, "Hydraulics, Pneumatics & Plumbing");
        assert_eq!(p.brand, "Mr. Heater");
        let p = Product::parse("008 Buna-N O-Ring, 70A Durometer, Black, 3/16 ID, 5/16 OD, 1/16 Width (Pack of 100). Industrial & Scientific Hydraulics, Pneumatics & Plumbing Seals & O-Rings O-Rings. Sterling Seal & Supply, Inc. (STCC). ");
        assert_eq!(p.brand, "Sterling Seal & Supply, Inc. (STCC)");
    }

    #[test]
    fn the_last_path_wins_over_a_stray_root_in_the_title() {
        let p = Product::parse(" Industrial & Scientific />. Industrial & Scientific Janitorial & Sanitation Supplies Waste Receptacles & Liners Smoking Receptacles. Justrite. ");
        assert_eq!(p.category, "Janitorial & Sanitation Supplies");
        assert_eq!(p.brand, "Justrite");
    }

    #[test]
    fn a_line_without_path_is_other() {
        let p = Product::parse("Ideal 2006S Crimp Connector (Pack of 100). . Ideal. ");
        assert_eq!(
            p,
            product("Ideal 2006S Crimp Connector (Pack of 100)", OTHER, "Ideal")
        );
        let p = Product::parse("3M Virtua CCS Protective Eyewear 11872-00000-20, Foam Gasket, Anti Fog Lens, Clear. . . ");
        assert_eq!(p.category, OTHER);
        assert_eq!(p.brand, "");
    }

    #[test]
    fn a_department_alone_or_with_subpaths_matches() {
        assert_eq!(department("Fasteners"), "Fasteners");
        assert_eq!(
            department("Industrial Electrical Wiring & Connecting"),
            "Industrial Electrical"
        );
        assert_eq!(
            department("Industrial Hardware Hooks"),
            "Industrial Hardware"
        );
        assert_eq!(department("Robots Unknown"), OTHER);
        assert_eq!(department("FastenersX"), OTHER);
    }

    #[test]
    fn the_longest_department_wins() {
        // "Industrial Power & Hand Tools" must not be read as a shorter department.
        assert_eq!(
            department("Industrial Power & Hand Tools Power Tools"),
            "Industrial Power & Hand Tools"
        );
    }
}
