//! What the revisions after a signed one changed, and whether a signature allows it.
//!
//! The file as it stood at the end of the signed revision and the file as a whole are both
//! loaded under [`Limits`], and compared object by object: an object only in the whole file is
//! new, one in both with other content is changed, one only in the signed revision is removed.
//! Each difference is then explained by a rule or reported, after pyHanko's whitelist for
//! documents whose first signature is an approval signature (`pyhanko.sign.diff_analysis`):
//!
//! - allowed: a signature or document timestamp into an empty signature field, or into a new
//!   signature field with its widget on a page; filling pre-existing form fields (`/V`, `/AP` and
//!   the new appearance streams, fonts and images they use); the document security store;
//!   `/Info`, XMP metadata, `/Extensions`, `/MarkInfo` and `/Version` of the catalog;
//! - not allowed: page content, the page tree, annotations other than the widgets of new
//!   signature fields, other catalog entries, new non-signature fields, any change to a field that
//!   was already signed or to its signature, and anything that no rule explains.
//!
//! Where an object hangs decides how an unexplained change is described: every object reachable
//! from the trailer gets the roles of the paths that reach it (page content, page resources, an
//! annotation, the form, the security store, a catalog entry, …), and an approval checks that
//! the object plays no role beyond the ones the rule expects, so that an object shared between a
//! form field and a page's content cannot be changed as if it were only the former. Objects that
//! nothing reaches (the cross-reference and object streams themselves, orphans) change nothing a
//! reader shows and are not reported.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::error::Error;
use crate::form::{self, Field};
use crate::history::is_white;
use crate::limits::Limits;
use crate::load;

/// What a later revision changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A signature was put into a signature field.
    SignatureAdded,
    /// A document timestamp (`/Type /DocTimeStamp`) was put into a signature field.
    DocumentTimestampAdded,
    /// The value of a form field changed.
    FieldFilled,
    /// A form field was created.
    FieldCreated,
    /// The appearance of a form field, or the form's appearance defaults, changed.
    AppearanceUpdated,
    /// The document security store (certificates, OCSP responses, CRLs) changed.
    DssUpdated,
    /// The document information dictionary, the XMP metadata or a catalog declaration
    /// (`/Extensions`, `/MarkInfo`, `/Version`) changed.
    MetadataUpdated,
    /// An annotation was added to a page.
    AnnotationAdded,
    /// An annotation on a page changed or was removed.
    AnnotationChanged,
    /// What a page shows changed: its content streams or the resources they use.
    PageContentChanged,
    /// Pages were added, removed or reordered, or a page's other entries changed.
    PagesChanged,
    /// An entry of the document catalog changed, or the catalog was replaced.
    CatalogChanged,
    /// Anything else; the description names the object.
    Other,
}

/// One change made by the revisions after a signed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// Whether an approval signature allows it (pyHanko's rules for approval signatures).
    pub allowed: bool,
    /// What changed, in plain English, naming the field, page or key, for example `signature
    /// added to field ky_so_co_quan` or `catalog entry /OpenAction added`.
    pub description: String,
}

/// Everything the revisions after the one ending at `revision_end` changed, compared object by
/// object with the file as it stood there.
///
/// `revision_end` is the length of the signed revision: the end of a signature's `/ByteRange`
/// (its third number plus its fourth), one of [`revision_ends`](crate::revision_ends). Nothing
/// after it but white space gives an empty list without parsing. Both states are loaded under
/// `limits`, so this costs about twice a [`load_untrusted`](crate::load_untrusted).
///
/// # Errors
///
/// [`Error::InvalidRequest`] when `revision_end` lies beyond the file; the errors of
/// [`load_untrusted`](crate::load_untrusted) for the signed revision or the whole file.
pub fn changes_after(
    bytes: &[u8],
    revision_end: usize,
    limits: &Limits,
) -> Result<Vec<Change>, Error> {
    load::guarded(|| changes_inner(bytes, None, revision_end, limits))
}

/// [`changes_after`] for an encrypted file opened with `password`; objects are compared
/// decrypted.
///
/// # Errors
///
/// As [`changes_after`], and [`Error::WrongPassword`].
pub fn changes_after_with_password(
    bytes: &[u8],
    password: &str,
    revision_end: usize,
    limits: &Limits,
) -> Result<Vec<Change>, Error> {
    load::guarded(|| changes_inner(bytes, Some(password), revision_end, limits))
}

fn changes_inner(
    bytes: &[u8],
    password: Option<&str>,
    revision_end: usize,
    limits: &Limits,
) -> Result<Vec<Change>, Error> {
    let signed = bytes.get(..revision_end).ok_or(Error::InvalidRequest {
        reason: "the revision end lies beyond the end of the file",
    })?;
    if bytes
        .get(revision_end..)
        .unwrap_or_default()
        .iter()
        .all(|byte| is_white(*byte))
    {
        return Ok(Vec::new());
    }
    let load = |bytes: &[u8]| match password {
        Some(password) => load::load_untrusted_with_password(bytes, password, limits),
        None => load::load_untrusted(bytes, limits),
    };
    let old = load(signed)?.into_document();
    let new = load(bytes)?.into_document();
    Ok(Analysis::new(&old, &new, limits).run())
}

/// Keys of a form field or widget that filling the form may change (pyHanko's
/// `VALUE_UPDATE_KEYS`).
const VALUE_UPDATE_KEYS: &[&[u8]] = &[b"AP", b"AS", b"V", b"F", b"DA", b"Q", b"Ff", b"Type"];

/// Keys of a signed or still empty signature field that may change: flags, and `/Type` added.
const LOCKED_FIELD_KEYS: &[&[u8]] = &[b"Ff", b"Type"];

/// Catalog entries that other rules check (`/AcroForm`, `/DSS`, `/Metadata`) or that may change
/// freely (pyHanko's `ROOT_EXEMPT_STRICT_COMPARISON`).
const CATALOG_EXEMPT: &[&[u8]] = &[
    b"AcroForm",
    b"DSS",
    b"Metadata",
    b"Extensions",
    b"MarkInfo",
    b"Version",
];

/// Catalog entries that declare things about the file and may change after signing.
const CATALOG_DECLARATIONS: &[&[u8]] = &[b"Extensions", b"MarkInfo", b"Version"];

/// `/AcroForm` entries whose changes the form rule explains (pyHanko's
/// `ACROFORM_EXEMPT_STRICT_COMPARISON`, and `/SigFlags`, which signing sets).
const FORM_EXEMPT: &[&[u8]] = &[
    b"Fields",
    b"DR",
    b"DA",
    b"Q",
    b"NeedAppearances",
    b"SigFlags",
];

/// `/AcroForm` entries about appearances that may change, reported as appearance updates.
const FORM_APPEARANCE_KEYS: &[&[u8]] = &[b"DA", b"Q", b"NeedAppearances"];

/// The roles that objects of the interactive form play: reached from `/AcroForm`, or as a
/// widget annotation of a page.
const FORM_ROLES: &[Role] = &[Role::CatalogAcroForm, Role::Annotation];

/// How deep a direct object is searched for references; lopdf's parser nests less deeply.
const MAX_DIRECT_DEPTH: usize = 256;

/// The part an object plays in the document, by the path that reaches it from the trailer.
/// Declared from the most to the least consequential, which is the order in which an
/// unexplained change is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Role {
    /// A page's content stream, or something it holds.
    PageContent,
    /// A page's resources (fonts, images, form XObjects), or a page tree node's inherited ones.
    PageResources,
    /// An annotation of a page, or something it holds (its appearance).
    Annotation,
    /// A page dictionary.
    Page,
    /// Any other entry of a page.
    PageOther,
    /// A page tree node (`/Type /Pages`), or one of its other entries.
    PageTree,
    /// The document catalog.
    Catalog,
    /// A catalog entry that no rule allows to change (`/Names`, `/OpenAction`, …).
    CatalogOther,
    /// The interactive form.
    CatalogAcroForm,
    /// The document security store.
    CatalogDss,
    /// The document's XMP metadata.
    CatalogMetadata,
    /// `/Extensions`, `/MarkInfo` or `/Version` of the catalog.
    CatalogDeclaration,
    /// The document information dictionary.
    Info,
}

/// Where the first path of a role came from, for descriptions.
#[derive(Debug, Clone, Default)]
struct Origin {
    /// The 1-based number of the page.
    page: Option<usize>,
    /// The catalog or page entry the path passes through.
    key: Option<Vec<u8>>,
    /// The annotation the path passes through.
    annotation: Option<ObjectId>,
}

/// One state of the document, with what the comparison needs to know about it.
struct View {
    catalog: Option<ObjectId>,
    pages: Vec<ObjectId>,
    tree_nodes: HashSet<ObjectId>,
    roles: HashMap<ObjectId, BTreeMap<Role, Origin>>,
    /// How many references to each object the document's objects hold.
    references: HashMap<ObjectId, usize>,
    fields: Vec<Field>,
    parents: Vec<(ObjectId, String)>,
    /// The fully qualified name of each field, and of each widget by its field.
    names: HashMap<ObjectId, String>,
}

impl View {
    fn new(document: &Document) -> Self {
        let catalog = document
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .ok();
        let pages = form::pages(document);
        let tree_nodes = tree_nodes(document, catalog, &pages);
        let roles = roles(document, catalog, &pages, &tree_nodes);
        let mut references: HashMap<ObjectId, usize> = HashMap::new();
        for object in document.objects.values() {
            for_each_reference(object, |_, id, _| {
                *references.entry(id).or_default() += 1;
            });
        }
        let form = form::fields(document);
        let mut names = HashMap::new();
        for field in &form.terminal {
            names.insert(field.id, plain(&field.name));
            for widget in &field.widgets {
                names.entry(*widget).or_insert_with(|| plain(&field.name));
            }
        }
        for (id, name) in &form.parents {
            names.entry(*id).or_insert_with(|| plain(name));
        }
        Self {
            catalog,
            pages,
            tree_nodes,
            roles,
            references,
            fields: form.terminal,
            parents: form.parents,
            names,
        }
    }

    /// The most consequential role of `id`, if anything reaches it.
    fn first_role(&self, id: ObjectId) -> Option<(Role, &Origin)> {
        self.roles
            .get(&id)
            .and_then(|roles| roles.iter().next())
            .map(|(role, origin)| (*role, origin))
    }
}

/// The page tree nodes (`/Type /Pages`) under the catalog's `/Pages`, pages excluded.
fn tree_nodes(
    document: &Document,
    catalog: Option<ObjectId>,
    pages: &[ObjectId],
) -> HashSet<ObjectId> {
    let pages: HashSet<ObjectId> = pages.iter().copied().collect();
    let mut nodes = HashSet::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<ObjectId> = catalog
        .and_then(|id| document.get_dictionary(id).ok())
        .and_then(|catalog| catalog.get(b"Pages").and_then(Object::as_reference).ok())
        .into_iter()
        .collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) || pages.contains(&id) {
            continue;
        }
        let Ok(node) = document.get_dictionary(id) else {
            continue;
        };
        nodes.insert(id);
        if let Some(kids) = resolve(document, node.get(b"Kids").ok()).and_then(as_array) {
            stack.extend(kids.iter().filter_map(|kid| kid.as_reference().ok()));
        }
    }
    nodes
}

/// The roles of every object reachable from the trailer's `/Root` and `/Info`.
///
/// The catalog, the pages and the page tree nodes are anchors with their own roles: a path that
/// reaches one from elsewhere (a widget's `/P`, a page's `/Parent`, a destination) stops there.
/// Each object is visited at most once per role, so the walk is linear in the document's size.
fn roles(
    document: &Document,
    catalog: Option<ObjectId>,
    pages: &[ObjectId],
    tree_nodes: &HashSet<ObjectId>,
) -> HashMap<ObjectId, BTreeMap<Role, Origin>> {
    let mut anchors: HashSet<ObjectId> = tree_nodes.clone();
    anchors.extend(pages.iter().copied());
    anchors.extend(catalog);
    let mut queue: VecDeque<(ObjectId, Role, Origin)> = VecDeque::new();
    if let Some(catalog) = catalog {
        queue.push_back((catalog, Role::Catalog, Origin::default()));
    }
    for (index, page) in pages.iter().enumerate() {
        let origin = Origin {
            page: Some(index + 1),
            ..Origin::default()
        };
        queue.push_back((*page, Role::Page, origin));
    }
    let mut sorted_nodes: Vec<ObjectId> = tree_nodes.iter().copied().collect();
    sorted_nodes.sort_unstable();
    for node in sorted_nodes {
        queue.push_back((node, Role::PageTree, Origin::default()));
    }
    if let Ok(info) = document.trailer.get(b"Info").and_then(Object::as_reference) {
        queue.push_back((info, Role::Info, Origin::default()));
    }

    let mut roles: HashMap<ObjectId, BTreeMap<Role, Origin>> = HashMap::new();
    let mut visited: HashSet<(ObjectId, Role)> = HashSet::new();
    while let Some((id, role, origin)) = queue.pop_front() {
        if !visited.insert((id, role)) {
            continue;
        }
        let Some(object) = document.objects.get(&id) else {
            continue;
        };
        roles
            .entry(id)
            .or_default()
            .entry(role)
            .or_insert_with(|| origin.clone());
        for_each_reference(object, |key, target, listed| {
            if anchors.contains(&target) {
                return;
            }
            if let Some((role, origin)) = step(role, &origin, key, target, listed) {
                queue.push_back((target, role, origin));
            }
        });
    }
    roles
}

/// The role of `target`, referenced under the top-level `key` of an object playing `role`;
/// `listed` says whether the reference is an element of the array at that key.
fn step(
    role: Role,
    origin: &Origin,
    key: Option<&[u8]>,
    target: ObjectId,
    listed: bool,
) -> Option<(Role, Origin)> {
    let key = key.unwrap_or_default();
    let keyed = |role: Role| {
        Some((
            role,
            Origin {
                key: Some(key.to_vec()),
                ..origin.clone()
            },
        ))
    };
    match role {
        Role::Catalog => match key {
            b"Pages" => None,
            b"AcroForm" => keyed(Role::CatalogAcroForm),
            b"DSS" => keyed(Role::CatalogDss),
            b"Metadata" => keyed(Role::CatalogMetadata),
            b"Extensions" | b"MarkInfo" | b"Version" => keyed(Role::CatalogDeclaration),
            _ => keyed(Role::CatalogOther),
        },
        Role::Page => match key {
            b"Parent" => None,
            b"Contents" => keyed(Role::PageContent),
            b"Resources" => keyed(Role::PageResources),
            b"Annots" => Some((
                Role::Annotation,
                Origin {
                    annotation: listed.then_some(target),
                    ..origin.clone()
                },
            )),
            _ => keyed(Role::PageOther),
        },
        Role::PageTree => match key {
            b"Kids" | b"Parent" => None,
            b"Resources" => keyed(Role::PageResources),
            _ => keyed(Role::PageTree),
        },
        // An indirect `/Annots` array: its elements are the annotations.
        Role::Annotation if origin.annotation.is_none() => Some((
            Role::Annotation,
            Origin {
                annotation: Some(target),
                ..origin.clone()
            },
        )),
        _ => Some((role, origin.clone())),
    }
}

/// Calls `visit(key, id, listed)` for each reference that `object` holds, directly or in nested
/// direct objects: `key` is the top-level dictionary key it is under (none for an array object),
/// `listed` whether it is an element of the array at that key. A stream's data is not searched.
fn for_each_reference(object: &Object, mut visit: impl FnMut(Option<&[u8]>, ObjectId, bool)) {
    let mut stack: Vec<(&Object, Option<&[u8]>, usize)> = Vec::new();
    match object {
        Object::Dictionary(dictionary) => {
            stack.extend(
                dictionary
                    .iter()
                    .map(|(key, value)| (value, Some(key.as_slice()), 0)),
            );
        }
        Object::Stream(stream) => {
            stack.extend(
                stream
                    .dict
                    .iter()
                    .map(|(key, value)| (value, Some(key.as_slice()), 0)),
            );
        }
        other => stack.push((other, None, 0)),
    }
    while let Some((value, key, depth)) = stack.pop() {
        match value {
            Object::Reference(id) => visit(key, *id, depth == 1),
            Object::Array(items) if depth < MAX_DIRECT_DEPTH => {
                stack.extend(items.iter().rev().map(|item| (item, key, depth + 1)));
            }
            Object::Dictionary(dictionary) if depth < MAX_DIRECT_DEPTH => {
                stack.extend(dictionary.iter().map(|(_, item)| (item, key, depth + 2)));
            }
            _ => {}
        }
    }
}

/// How an object differs between the two states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Added,
    Changed,
    Removed,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Changed => "changed",
            Status::Removed => "removed",
        }
    }
}

/// The objects that differ between `old` and `new`.
fn differences(old: &Document, new: &Document) -> BTreeMap<ObjectId, Status> {
    let mut differences = BTreeMap::new();
    for (id, object) in &new.objects {
        match old.objects.get(id) {
            None => {
                differences.insert(*id, Status::Added);
            }
            Some(before) if !same(before, object) => {
                differences.insert(*id, Status::Changed);
            }
            Some(_) => {}
        }
    }
    for id in old.objects.keys() {
        if !new.objects.contains_key(id) {
            differences.insert(*id, Status::Removed);
        }
    }
    differences
}

/// Whether two objects are equal; streams by dictionary and raw data, not by file position.
fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(a), Object::Stream(b)) => a.dict == b.dict && a.content == b.content,
        _ => a == b,
    }
}

/// How a dictionary entry differs between the two states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Added,
    Removed,
    Changed,
}

impl Edit {
    fn word(self) -> &'static str {
        match self {
            Edit::Added => "added",
            Edit::Removed => "removed",
            Edit::Changed => "changed",
        }
    }

    fn between(old: Option<&Object>, new: Option<&Object>) -> Option<Self> {
        match (old, new) {
            (None, Some(_)) => Some(Edit::Added),
            (Some(_), None) => Some(Edit::Removed),
            (Some(old), Some(new)) if old != new => Some(Edit::Changed),
            _ => None,
        }
    }
}

/// The entries that differ between two dictionaries, `ignored` keys left out, in key order.
fn edits(old: &Dictionary, new: &Dictionary, ignored: &[&[u8]]) -> Vec<(Vec<u8>, Edit)> {
    let keys: BTreeSet<&[u8]> = old
        .iter()
        .chain(new.iter())
        .map(|(key, _)| key.as_slice())
        .filter(|key| !ignored.contains(key))
        .collect();
    keys.into_iter()
        .filter_map(|key| {
            Edit::between(old.get(key).ok(), new.get(key).ok()).map(|edit| (key.to_vec(), edit))
        })
        .collect()
}

/// The comparison of the two states.
struct Analysis<'a> {
    old: &'a Document,
    new: &'a Document,
    old_view: View,
    new_view: View,
    differences: BTreeMap<ObjectId, Status>,
    /// Differing objects explained by a rule, or already reported.
    handled: HashSet<ObjectId>,
    /// The widgets of fields created after signing, and whether the field is a signature field.
    new_widgets: HashMap<ObjectId, bool>,
    changes: Vec<Change>,
    limits: &'a Limits,
}

impl<'a> Analysis<'a> {
    fn new(old: &'a Document, new: &'a Document, limits: &'a Limits) -> Self {
        Self {
            old,
            new,
            old_view: View::new(old),
            new_view: View::new(new),
            differences: differences(old, new),
            handled: HashSet::new(),
            new_widgets: HashMap::new(),
            changes: Vec::new(),
            limits,
        }
    }

    fn run(mut self) -> Vec<Change> {
        if self.old.xref_recovery.is_some() {
            self.report(
                ChangeKind::Other,
                false,
                "the cross-reference data of the signed revision is damaged".to_owned(),
            );
        }
        if self.new.xref_recovery.is_some() {
            self.report(
                ChangeKind::Other,
                false,
                "the cross-reference data of a later revision is damaged".to_owned(),
            );
        }
        self.check_catalog();
        self.check_form();
        self.check_dss();
        self.check_metadata();
        self.check_info();
        self.check_pages();
        self.report_unexplained();
        let mut seen = HashSet::new();
        self.changes.retain(|change| {
            seen.insert((change.kind, change.allowed, change.description.clone()))
        });
        self.changes
    }

    fn report(&mut self, kind: ChangeKind, allowed: bool, description: String) {
        self.changes.push(Change {
            kind,
            allowed,
            description,
        });
    }

    fn changed(&self, id: ObjectId) -> bool {
        self.differences.contains_key(&id)
    }

    /// Whether `id` is new since the signed revision, or replaces an object that nothing in the
    /// signed revision reached.
    fn is_fresh(&self, id: ObjectId) -> bool {
        match self.differences.get(&id) {
            Some(Status::Added) => true,
            Some(Status::Changed) => !self.old_view.roles.contains_key(&id),
            _ => false,
        }
    }

    /// Marks a differing object as explained when it plays no role outside `acceptable`, in
    /// either state; says whether it is explained (an unchanged object always is).
    fn approve(&mut self, id: ObjectId, acceptable: &[Role]) -> bool {
        if !self.changed(id) {
            return true;
        }
        let roles = [&self.old_view, &self.new_view]
            .into_iter()
            .filter_map(|view| view.roles.get(&id))
            .flat_map(BTreeMap::keys);
        let fits = roles.into_iter().all(|role| acceptable.contains(role));
        if fits {
            self.handled.insert(id);
        }
        fits
    }

    /// Marks a differing object as dealt with: a change already reported covers it.
    fn settle(&mut self, id: ObjectId) {
        if self.changed(id) {
            self.handled.insert(id);
        }
    }

    /// Whether an entry that was `before` and now refers to `id` may be approved: `id` is fresh,
    /// or it is the object the entry referred to before and nothing else in the signed revision
    /// refers to it.
    fn fresh_or_in_place(&self, before: Option<&Object>, id: ObjectId) -> bool {
        let same = before.and_then(|value| value.as_reference().ok()) == Some(id);
        let shared = self.old_view.references.get(&id).copied().unwrap_or(0) > 1;
        self.is_fresh(id) || (same && !shared)
    }

    /// Approves the fresh objects reachable from `value` through fresh objects only: the
    /// objects a new entry brought with it (pyHanko's `collect_dependencies`).
    fn approve_fresh(&mut self, value: &Object, acceptable: &[Role]) {
        let mut stack: Vec<ObjectId> = Vec::new();
        for_each_reference(value, |_, id, _| stack.push(id));
        if let Object::Reference(id) = value {
            stack.push(*id);
        }
        let new = self.new;
        let mut seen = HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) || !self.is_fresh(id) || !self.approve(id, acceptable) {
                continue;
            }
            if let Some(object) = new.objects.get(&id) {
                for_each_reference(object, |_, id, _| stack.push(id));
            }
        }
    }

    /// Settles the fresh objects reachable from `value` through fresh objects only, for a new
    /// structure already reported as not allowed.
    fn settle_fresh(&mut self, value: &Object) {
        let mut stack: Vec<ObjectId> = Vec::new();
        for_each_reference(value, |_, id, _| stack.push(id));
        if let Object::Reference(id) = value {
            stack.push(*id);
        }
        let new = self.new;
        let mut seen = HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) || !self.is_fresh(id) {
                continue;
            }
            self.settle(id);
            if let Some(object) = new.objects.get(&id) {
                for_each_reference(object, |_, id, _| stack.push(id));
            }
        }
    }

    /// Approves a changed entry whose new value is `new`, and what it brought with it
    /// (pyHanko's `compare_key_refs` and `safe_whitelist`): an indirect value may be a fresh
    /// object, or the same object as before, rewritten in place when it is not a stream and
    /// nothing else refers to it.
    fn approve_value(&mut self, old: Option<&Object>, new: &Object, acceptable: &[Role]) {
        let Object::Reference(id) = new else {
            self.approve_fresh(new, acceptable);
            return;
        };
        let id = *id;
        if self.is_fresh(id) {
            self.approve_fresh(new, acceptable);
            return;
        }
        let in_place = self.fresh_or_in_place(old, id)
            && self.changed(id)
            && self
                .new
                .objects
                .get(&id)
                .is_some_and(|object| object.as_stream().is_err());
        if in_place && self.approve(id, acceptable) {
            let new_document = self.new;
            if let Some(object) = new_document.objects.get(&id) {
                self.approve_fresh(object, acceptable);
            }
        }
    }

    fn catalogs(&self) -> Option<(&'a Dictionary, &'a Dictionary)> {
        let (old, new) = (self.old, self.new);
        let old_catalog = old.get_dictionary(self.old_view.catalog?).ok()?;
        let new_catalog = new.get_dictionary(self.new_view.catalog?).ok()?;
        Some((old_catalog, new_catalog))
    }

    /// The catalog may change only in the entries other rules check, and in its declarations
    /// (pyHanko's `CatalogModificationRule`).
    fn check_catalog(&mut self) {
        let (old_id, new_id) = (self.old_view.catalog, self.new_view.catalog);
        if old_id != new_id {
            self.report(
                ChangeKind::CatalogChanged,
                false,
                "document catalog replaced".to_owned(),
            );
        }
        if let Some(id) = new_id {
            self.settle(id);
        }
        let Some((old, new)) = self.catalogs() else {
            self.report(
                ChangeKind::CatalogChanged,
                false,
                "document catalog is missing or not a dictionary".to_owned(),
            );
            return;
        };
        for (key, edit) in edits(old, new, CATALOG_EXEMPT) {
            let kind = if key == b"Pages" {
                ChangeKind::PagesChanged
            } else {
                ChangeKind::CatalogChanged
            };
            self.report(
                kind,
                false,
                format!("catalog entry {} {}", key_name(&key), edit.word()),
            );
        }
        for key in CATALOG_DECLARATIONS {
            let (before, after) = (old.get(key).ok(), new.get(key).ok());
            let edit = Edit::between(before, after).or_else(|| {
                after
                    .and_then(|value| value.as_reference().ok())
                    .filter(|id| self.changed(*id))
                    .map(|_| Edit::Changed)
            });
            let Some(edit) = edit else {
                continue;
            };
            if let Some(after) = after {
                self.approve_value(before, after, &[Role::CatalogDeclaration]);
            }
            self.report(
                ChangeKind::MetadataUpdated,
                true,
                format!("catalog entry {} {}", key_name(key), edit.word()),
            );
        }
    }

    /// The interactive form: its dictionary (pyHanko's `FormUpdatingRule`), then each field.
    fn check_form(&mut self) {
        let Some((old_catalog, new_catalog)) = self.catalogs() else {
            return;
        };
        let (old, new) = (self.old, self.new);
        let before = old_catalog.get(b"AcroForm").ok();
        let after = new_catalog.get(b"AcroForm").ok();
        let old_form = resolve(old, before).and_then(as_dictionary);
        let new_form = resolve(new, after).and_then(as_dictionary);
        match (after, new_form) {
            (None, _) => {
                if before.is_some() {
                    self.report(
                        ChangeKind::CatalogChanged,
                        false,
                        "catalog entry /AcroForm removed".to_owned(),
                    );
                }
            }
            (Some(_), None) => {
                if Edit::between(before, after).is_some() {
                    self.report(
                        ChangeKind::Other,
                        false,
                        "interactive form is not a dictionary".to_owned(),
                    );
                }
            }
            (Some(value), Some(new_form)) => {
                if let Object::Reference(id) = value
                    && self.fresh_or_in_place(before, *id)
                {
                    self.approve(*id, FORM_ROLES);
                }
                let empty = Dictionary::new();
                let old_form = old_form.unwrap_or(&empty);
                self.check_form_dictionary(old_form, new_form);
            }
        }
        self.check_fields();
    }

    fn check_form_dictionary(&mut self, old_form: &Dictionary, new_form: &'a Dictionary) {
        for (key, edit) in edits(old_form, new_form, FORM_EXEMPT) {
            self.report(
                ChangeKind::Other,
                false,
                format!("interactive form entry {} {}", key_name(&key), edit.word()),
            );
        }
        for key in FORM_APPEARANCE_KEYS {
            if let Some(edit) = Edit::between(old_form.get(key).ok(), new_form.get(key).ok()) {
                self.report(
                    ChangeKind::AppearanceUpdated,
                    true,
                    format!("interactive form entry {} {}", key_name(key), edit.word()),
                );
            }
        }
        let (before, after) = (old_form.get(b"DR").ok(), new_form.get(b"DR").ok());
        let resources_touched = before != after
            || after
                .and_then(|value| value.as_reference().ok())
                .is_some_and(|id| self.changed(id));
        if let (true, Some(after)) = (resources_touched, after) {
            self.approve_value(before, after, FORM_ROLES);
            self.report(
                ChangeKind::AppearanceUpdated,
                true,
                "default resources of the interactive form updated".to_owned(),
            );
        }
        // The /Fields array; the fields it lists are checked one by one.
        if let Ok(Object::Reference(id)) = new_form.get(b"Fields")
            && self.fresh_or_in_place(old_form.get(b"Fields").ok(), *id)
        {
            self.approve(*id, FORM_ROLES);
        }
    }

    /// Each terminal field of either state (pyHanko's `SigFieldCreationRule`,
    /// `SigFieldModificationRule` and `GenericFieldModificationRule`).
    fn check_fields(&mut self) {
        let old_fields: HashMap<ObjectId, Field> = self
            .old_view
            .fields
            .iter()
            .map(|field| (field.id, field.clone()))
            .collect();
        let old_parents: HashSet<ObjectId> =
            self.old_view.parents.iter().map(|(id, _)| *id).collect();
        let new_ids: HashSet<ObjectId> = self
            .new_view
            .fields
            .iter()
            .map(|field| field.id)
            .chain(self.new_view.parents.iter().map(|(id, _)| *id))
            .collect();
        for field in self.new_view.fields.clone() {
            match old_fields.get(&field.id) {
                Some(old_field) => self.check_existing_field(old_field, &field),
                None if old_parents.contains(&field.id) => {
                    self.report(
                        ChangeKind::Other,
                        false,
                        format!("form field {} changed", plain(&field.name)),
                    );
                    self.settle(field.id);
                }
                None => self.check_created_field(&field),
            }
        }
        let (old, new) = (self.old, self.new);
        for field in self.old_view.fields.clone() {
            let name = plain(&field.name);
            if !new_ids.contains(&field.id) {
                self.report(
                    ChangeKind::Other,
                    false,
                    format!("form field {name} removed"),
                );
            }
            if field.field_type.as_deref() != Some(b"Sig".as_slice()) {
                continue;
            }
            // A signature that existed must stay exactly as it was.
            let value = old
                .get_dictionary(field.id)
                .ok()
                .and_then(|dictionary| dictionary.get(b"V").ok());
            if let Some(Object::Reference(id)) = value {
                let still_there = new.objects.contains_key(id);
                if self.changed(*id) {
                    let what = if still_there { "modified" } else { "removed" };
                    self.report(
                        ChangeKind::Other,
                        false,
                        format!("signature in field {name} was {what} after signing"),
                    );
                    self.settle(*id);
                }
            }
        }
    }

    fn check_existing_field(&mut self, old_field: &Field, field: &Field) {
        let id = field.id;
        let widgets: BTreeSet<ObjectId> = old_field
            .widgets
            .iter()
            .chain(&field.widgets)
            .copied()
            .filter(|widget| *widget != id)
            .collect();
        if !self.changed(id) && !widgets.iter().any(|widget| self.changed(*widget)) {
            return;
        }
        // The name it was signed with: a rename is one of the changes reported.
        let name = plain(&old_field.name);
        let (old, new) = (self.old, self.new);
        let (Ok(before), Ok(after)) = (old.get_dictionary(id), new.get_dictionary(id)) else {
            self.report(
                ChangeKind::Other,
                false,
                format!("form field {name} changed"),
            );
            self.settle(id);
            return;
        };
        if old_field.field_type != field.field_type {
            self.report(
                ChangeKind::Other,
                false,
                format!("type of form field {name} changed"),
            );
            self.settle(id);
            return;
        }
        if field.field_type.as_deref() != Some(b"Sig".as_slice()) {
            let fits = self.check_keys(
                before,
                after,
                VALUE_UPDATE_KEYS,
                &format!("form field {name}"),
            );
            self.approve_or_settle(id, fits);
            self.check_widgets(old_field, field, &name, true);
            self.approve_appearance(before, after);
            let appearance_changed = widgets.iter().any(|widget| self.changed(*widget))
                || edits(before, after, &[])
                    .iter()
                    .any(|(key, _)| VALUE_UPDATE_KEYS.contains(&key.as_slice()))
                || after
                    .get(b"AP")
                    .and_then(Object::as_reference)
                    .is_ok_and(|id| self.changed(id));
            let (old_value, new_value) = (before.get(b"V").ok(), after.get(b"V").ok());
            if old_value != new_value {
                if let Some(value) = new_value {
                    self.approve_fresh(value, FORM_ROLES);
                }
                self.report(
                    ChangeKind::FieldFilled,
                    true,
                    format!("field {name} filled"),
                );
            } else if appearance_changed {
                self.report(
                    ChangeKind::AppearanceUpdated,
                    true,
                    format!("appearance of field {name} updated"),
                );
            }
            return;
        }
        match (before.has(b"V"), after.has(b"V")) {
            (true, _) => {
                if before.get(b"V").ok() != after.get(b"V").ok() {
                    let what = if after.has(b"V") {
                        "modified"
                    } else {
                        "removed"
                    };
                    self.report(
                        ChangeKind::Other,
                        false,
                        format!("signature in field {name} was {what} after signing"),
                    );
                }
                self.check_keys(
                    before,
                    after,
                    LOCKED_FIELD_KEYS,
                    &format!("signed signature field {name}"),
                );
                self.settle(id);
                self.check_widgets(old_field, field, &name, false);
            }
            (false, false) => {
                self.check_keys(
                    before,
                    after,
                    LOCKED_FIELD_KEYS,
                    &format!("unsigned signature field {name}"),
                );
                self.settle(id);
                self.check_widgets(old_field, field, &name, false);
            }
            (false, true) => {
                let fits = self.check_keys(
                    before,
                    after,
                    VALUE_UPDATE_KEYS,
                    &format!("signature field {name}"),
                );
                self.approve_or_settle(id, fits);
                self.check_widgets(old_field, field, &name, true);
                self.approve_appearance(before, after);
                self.check_signature_value(&name, after);
            }
        }
    }

    fn approve_or_settle(&mut self, id: ObjectId, fits: bool) {
        if fits {
            self.approve(id, FORM_ROLES);
        } else {
            self.settle(id);
        }
    }

    /// Reports each entry that differs outside `allowed`, and a `/Type` that changed, was
    /// removed or was added as anything but `/Annot`; says whether there was none.
    fn check_keys(
        &mut self,
        before: &Dictionary,
        after: &Dictionary,
        allowed: &[&[u8]],
        what: &str,
    ) -> bool {
        let mut fits = true;
        for (key, edit) in edits(before, after, allowed) {
            self.report(
                ChangeKind::Other,
                false,
                format!("{what} entry {} {}", key_name(&key), edit.word()),
            );
            fits = false;
        }
        let edit = match (before.get(b"Type").ok(), after.get(b"Type").ok()) {
            (Some(old), Some(new)) if old != new => Some(Edit::Changed),
            (Some(_), None) => Some(Edit::Removed),
            (None, Some(new)) if new.as_name().ok() != Some(b"Annot".as_slice()) => {
                Some(Edit::Added)
            }
            _ => None,
        };
        if let Some(edit) = edit {
            self.report(
                ChangeKind::Other,
                false,
                format!("{what} entry /Type {}", edit.word()),
            );
            fits = false;
        }
        fits
    }

    /// The separate widgets of an existing field: when the field may be filled
    /// (`fillable`), each may change in its value keys and appearance; otherwise not at all.
    fn check_widgets(&mut self, old_field: &Field, field: &Field, name: &str, fillable: bool) {
        let (old, new) = (self.old, self.new);
        let old_widgets: HashSet<ObjectId> = old_field.widgets.iter().copied().collect();
        let new_widgets: HashSet<ObjectId> = field.widgets.iter().copied().collect();
        for widget in &field.widgets {
            if *widget == field.id || !self.changed(*widget) {
                continue;
            }
            let existing = old_widgets.contains(widget);
            match (old.get_dictionary(*widget), new.get_dictionary(*widget)) {
                (Ok(before), Ok(after)) if existing && fillable => {
                    let fits = self.check_keys(
                        before,
                        after,
                        VALUE_UPDATE_KEYS,
                        &format!("widget of field {name}"),
                    );
                    self.approve_or_settle(*widget, fits);
                    self.approve_appearance(before, after);
                }
                _ if existing => {
                    self.report(
                        ChangeKind::AnnotationChanged,
                        false,
                        format!("widget of field {name} changed"),
                    );
                    self.settle(*widget);
                }
                _ => {
                    self.report(
                        ChangeKind::AnnotationAdded,
                        false,
                        format!("widget added to field {name}"),
                    );
                    self.settle(*widget);
                }
            }
        }
        for widget in &old_field.widgets {
            if *widget != old_field.id && !new_widgets.contains(widget) {
                self.report(
                    ChangeKind::AnnotationChanged,
                    false,
                    format!("widget removed from field {name}"),
                );
            }
        }
    }

    /// A widget's new appearance: the `/AP` dictionary, the fresh streams it names and what
    /// they use, and streams rewritten in place that nothing else refers to (pyHanko's
    /// `_allow_appearance_update` and `_allow_in_place_appearance_update`).
    fn approve_appearance(&mut self, before: &Dictionary, after: &'a Dictionary) {
        let Ok(value) = after.get(b"AP") else {
            return;
        };
        let old_value = before.get(b"AP").ok();
        self.approve_value(old_value, value, FORM_ROLES);
        let (old, new) = (self.old, self.new);
        let Some(appearances) = resolve(new, Some(value)).and_then(as_dictionary) else {
            return;
        };
        let old_appearances = resolve(old, old_value).and_then(as_dictionary);
        for key in [b"N".as_slice(), b"R", b"D"] {
            let Ok(entry) = appearances.get(key) else {
                continue;
            };
            self.approve_fresh(entry, FORM_ROLES);
            let old_entry = old_appearances.and_then(|old| old.get(key).ok());
            let old_streams = old_entry.map(appearance_streams).unwrap_or_default();
            for id in appearance_streams(entry) {
                let in_place = old_streams.contains(&id)
                    && self.changed(id)
                    && new
                        .objects
                        .get(&id)
                        .is_some_and(|object| object.as_stream().is_ok())
                    && self.old_view.references.get(&id).copied().unwrap_or(0) <= 1;
                if in_place
                    && self.approve(id, FORM_ROLES)
                    && let Some(object) = new.objects.get(&id)
                {
                    self.approve_fresh(object, FORM_ROLES);
                }
            }
        }
    }

    /// The value of a signature field signed after the signed revision: a fresh signature
    /// dictionary.
    fn check_signature_value(&mut self, name: &str, field: &Dictionary) {
        let new = self.new;
        let Ok(Object::Reference(id)) = field.get(b"V") else {
            self.report(
                ChangeKind::Other,
                false,
                format!("signature value of field {name} is not an indirect object"),
            );
            return;
        };
        let id = *id;
        if !self.is_fresh(id) {
            self.report(
                ChangeKind::Other,
                false,
                format!("signature value of field {name} reuses an existing object"),
            );
            return;
        }
        let Some(signature) = new
            .objects
            .get(&id)
            .and_then(|object| object.as_dict().ok())
        else {
            self.report(
                ChangeKind::Other,
                false,
                format!("signature value of field {name} is not a dictionary"),
            );
            self.settle(id);
            return;
        };
        let name_of = |key: &[u8]| signature.get(key).and_then(Object::as_name).ok();
        let timestamp = name_of(b"Type") == Some(b"DocTimeStamp".as_slice())
            || name_of(b"SubFilter") == Some(b"ETSI.RFC3161".as_slice());
        self.approve(id, FORM_ROLES);
        if let Some(object) = new.objects.get(&id) {
            self.approve_fresh(object, FORM_ROLES);
        }
        if timestamp {
            self.report(
                ChangeKind::DocumentTimestampAdded,
                true,
                format!("document timestamp added in field {name}"),
            );
        } else {
            self.report(
                ChangeKind::SignatureAdded,
                true,
                format!("signature added to field {name}"),
            );
        }
    }

    /// A field that did not exist in the signed revision: allowed for a signature field, with
    /// fresh widgets and, when signed in the same revision, a fresh signature.
    fn check_created_field(&mut self, field: &Field) {
        let id = field.id;
        let name = plain(&field.name);
        let new = self.new;
        let is_signature = field.field_type.as_deref() == Some(b"Sig".as_slice());
        let fresh = self.is_fresh(id)
            && field
                .widgets
                .iter()
                .all(|widget| *widget == id || self.is_fresh(*widget));
        // A widget is a `/Widget` annotation; anything else would show other content.
        let odd_widget = field.widgets.iter().copied().find(|widget| {
            new.get_dictionary(*widget)
                .and_then(|widget| widget.get(b"Subtype"))
                .and_then(Object::as_name)
                .is_ok_and(|subtype| subtype != b"Widget")
        });
        for widget in &field.widgets {
            self.new_widgets
                .insert(*widget, is_signature && fresh && odd_widget.is_none());
        }
        let Ok(dictionary) = new.get_dictionary(id) else {
            return;
        };
        if let Some(widget) = odd_widget {
            self.report(
                ChangeKind::AnnotationAdded,
                false,
                format!(
                    "{} added as a widget of field {name}",
                    annotation_label(new, widget)
                ),
            );
            self.settle_fresh(&Object::Reference(id));
            return;
        }
        if !fresh {
            self.report(
                ChangeKind::Other,
                false,
                format!("form field {name} was made from an existing object"),
            );
            self.settle(id);
            return;
        }
        if !is_signature {
            let kind = match field.field_type.as_deref() {
                Some(b"Tx") => "text",
                Some(b"Btn") => "button",
                Some(b"Ch") => "choice",
                _ => "form",
            };
            self.report(
                ChangeKind::FieldCreated,
                false,
                format!("{kind} field {name} created"),
            );
            self.settle_fresh(&Object::Reference(id));
            return;
        }
        self.report(
            ChangeKind::FieldCreated,
            true,
            format!("signature field {name} created"),
        );
        self.approve(id, FORM_ROLES);
        let mut holders = vec![dictionary];
        for widget in &field.widgets {
            if *widget != id {
                self.approve(*widget, FORM_ROLES);
                if let Ok(widget) = new.get_dictionary(*widget) {
                    holders.push(widget);
                }
            }
        }
        if let Ok(kids) = dictionary.get(b"Kids") {
            self.approve_fresh(kids, FORM_ROLES);
        }
        for holder in holders {
            for key in [b"AP".as_slice(), b"Lock", b"SV"] {
                if let Ok(value) = holder.get(key) {
                    self.approve_fresh(value, FORM_ROLES);
                }
            }
        }
        if dictionary.has(b"V") {
            self.check_signature_value(&name, dictionary);
        }
    }

    /// The document security store (pyHanko's `DSSCompareRule`): certificates, OCSP responses
    /// and CRLs may be added as fresh streams, `/VRI` entries added but not changed.
    fn check_dss(&mut self) {
        let Some((old_catalog, new_catalog)) = self.catalogs() else {
            return;
        };
        let (old, new) = (self.old, self.new);
        let before = old_catalog.get(b"DSS").ok();
        let Some(after) = new_catalog.get(b"DSS").ok() else {
            if before.is_some() {
                self.report(
                    ChangeKind::DssUpdated,
                    true,
                    "document security store removed".to_owned(),
                );
            }
            return;
        };
        let mut touched =
            before != Some(after) || after.as_reference().is_ok_and(|id| self.changed(id));
        const DSS: &[Role] = &[Role::CatalogDss];
        if let Object::Reference(id) = after
            && self.fresh_or_in_place(before, *id)
        {
            self.approve(*id, DSS);
        }
        let Some(store) = resolve(new, Some(after)).and_then(as_dictionary) else {
            if touched {
                self.report(
                    ChangeKind::DssUpdated,
                    false,
                    "document security store is not a dictionary".to_owned(),
                );
            }
            return;
        };
        let empty = Dictionary::new();
        let old_store = resolve(old, before)
            .and_then(as_dictionary)
            .unwrap_or(&empty);
        for (key, _) in store.iter() {
            if ![b"Type".as_slice(), b"VRI", b"Certs", b"OCSPs", b"CRLs"].contains(&key.as_slice())
            {
                self.report(
                    ChangeKind::DssUpdated,
                    false,
                    format!(
                        "document security store entry {} is not expected",
                        key_name(key)
                    ),
                );
            }
        }
        let mut added = [0_usize; 3];
        for (count, key) in added
            .iter_mut()
            .zip([b"Certs".as_slice(), b"OCSPs", b"CRLs"])
        {
            let (item_before, item_after) = (old_store.get(key).ok(), store.get(key).ok());
            touched |= item_before != item_after;
            if let Some(item_after) = item_after {
                *count =
                    self.check_dss_streams(item_before, item_after, key, "document security store");
            }
        }
        touched |= self.check_vri(old_store, store);
        if !touched && added.iter().all(|count| *count == 0) {
            return;
        }
        let [certificates, responses, crls] = added;
        let description = if certificates + responses + crls == 0 {
            "document security store updated".to_owned()
        } else {
            format!(
                "document security store updated: {} added",
                [
                    counted(certificates, "certificate", "certificates"),
                    counted(responses, "OCSP response", "OCSP responses"),
                    counted(crls, "CRL", "CRLs"),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
            )
        };
        self.report(ChangeKind::DssUpdated, true, description);
    }

    /// An array of references to DER streams in the store or a `/VRI` entry; approves the
    /// array when fresh or rewritten in place, and the fresh streams. Returns how many
    /// streams are fresh.
    fn check_dss_streams(
        &mut self,
        before: Option<&Object>,
        after: &Object,
        key: &[u8],
        what: &str,
    ) -> usize {
        const DSS: &[Role] = &[Role::CatalogDss];
        let new = self.new;
        if let Object::Reference(id) = after
            && self.fresh_or_in_place(before, *id)
        {
            self.approve(*id, DSS);
        }
        let streams: Option<Vec<ObjectId>> =
            resolve(new, Some(after))
                .and_then(as_array)
                .and_then(|items| {
                    items
                        .iter()
                        .map(|item| {
                            item.as_reference().ok().filter(|id| {
                                new.objects.get(id).is_some_and(|o| o.as_stream().is_ok())
                            })
                        })
                        .collect()
                });
        let Some(streams) = streams else {
            self.report(
                ChangeKind::DssUpdated,
                false,
                format!("{what} entry {} is not an array of streams", key_name(key)),
            );
            return 0;
        };
        let mut fresh = 0;
        for id in streams {
            if self.is_fresh(id) {
                self.approve(id, DSS);
                fresh += 1;
            }
        }
        fresh
    }

    /// `/VRI`: entries of the signed revision unchanged, new ones keyed by an upper-case SHA-1
    /// hex digest and holding only `/Cert`, `/CRL`, `/OCSP`, `/TS`, `/TU` and `/Type`. Returns
    /// whether `/VRI` changed at all.
    fn check_vri(&mut self, old_store: &Dictionary, store: &Dictionary) -> bool {
        const DSS: &[Role] = &[Role::CatalogDss];
        let (old, new) = (self.old, self.new);
        let (before, after) = (old_store.get(b"VRI").ok(), store.get(b"VRI").ok());
        let Some(after) = after else {
            if before.is_some() {
                self.report(
                    ChangeKind::DssUpdated,
                    false,
                    "document security store entry /VRI removed".to_owned(),
                );
                return true;
            }
            return false;
        };
        let mut touched = before != Some(after);
        if let Object::Reference(id) = after {
            touched |= self.changed(*id);
            if self.fresh_or_in_place(before, *id) {
                self.approve(*id, DSS);
            }
        }
        let Some(vri) = resolve(new, Some(after)).and_then(as_dictionary) else {
            self.report(
                ChangeKind::DssUpdated,
                false,
                "document security store entry /VRI is not a dictionary".to_owned(),
            );
            return true;
        };
        let empty = Dictionary::new();
        let old_vri = resolve(old, before)
            .and_then(as_dictionary)
            .unwrap_or(&empty);
        for (key, value) in old_vri.iter() {
            if vri.get(key).ok() != Some(value) {
                self.report(
                    ChangeKind::DssUpdated,
                    false,
                    format!("validation data entry {} changed or removed", key_name(key)),
                );
            }
        }
        for (key, value) in vri.iter() {
            if old_vri.has(key) {
                continue;
            }
            let label = key_name(key);
            if key.len() != 40
                || !key
                    .iter()
                    .all(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase())
            {
                self.report(
                    ChangeKind::DssUpdated,
                    false,
                    format!("validation data entry {label} is not a certificate digest"),
                );
            }
            if let Object::Reference(id) = value
                && self.is_fresh(*id)
            {
                self.approve(*id, DSS);
            }
            let Some(entry) = resolve(new, Some(value)).and_then(as_dictionary) else {
                self.report(
                    ChangeKind::DssUpdated,
                    false,
                    format!("validation data entry {label} is not a dictionary"),
                );
                continue;
            };
            for (entry_key, item) in entry.iter() {
                match entry_key.as_slice() {
                    b"Cert" | b"CRL" | b"OCSP" => {
                        self.check_dss_streams(
                            None,
                            item,
                            entry_key,
                            &format!("validation data entry {label}"),
                        );
                    }
                    b"TS" => {
                        if let Object::Reference(id) = item
                            && self.is_fresh(*id)
                        {
                            self.approve(*id, DSS);
                        }
                    }
                    b"TU" | b"Type" => {}
                    other => self.report(
                        ChangeKind::DssUpdated,
                        false,
                        format!(
                            "validation data entry {label} has unexpected entry {}",
                            key_name(other)
                        ),
                    ),
                }
            }
        }
        touched
    }

    /// The catalog's XMP metadata may be replaced by a fresh stream or rewritten in place when
    /// nothing else uses it, as long as it is still XMP (pyHanko's `MetadataUpdateRule`).
    fn check_metadata(&mut self) {
        let Some((old_catalog, new_catalog)) = self.catalogs() else {
            return;
        };
        let before = old_catalog.get(b"Metadata").ok();
        let after = new_catalog.get(b"Metadata").ok();
        let Some(after) = after else {
            if before.is_some() {
                self.report(
                    ChangeKind::MetadataUpdated,
                    true,
                    "XMP metadata removed".to_owned(),
                );
            }
            return;
        };
        let touched =
            before != Some(after) || after.as_reference().is_ok_and(|id| self.changed(id));
        if !touched {
            return;
        }
        let Object::Reference(id) = after else {
            self.report(
                ChangeKind::MetadataUpdated,
                false,
                "catalog entry /Metadata is not a reference to a stream".to_owned(),
            );
            return;
        };
        let id = *id;
        if !self.fresh_or_in_place(before, id) {
            // An existing object put in place of the metadata; if it changed, the fallback
            // reports it where it hangs.
            self.report(
                ChangeKind::MetadataUpdated,
                false,
                format!("XMP metadata replaced by existing object {}", id.0),
            );
            return;
        }
        let limit = usize::try_from(self.limits.max_decompressed_bytes).unwrap_or(usize::MAX);
        let is_xmp = self
            .new
            .objects
            .get(&id)
            .and_then(|object| object.as_stream().ok())
            .and_then(|stream| stream.get_plain_content_with_limit(limit).ok())
            .is_some_and(|xml| memchr::memmem::find(&xml, b"xmpmeta").is_some());
        if !is_xmp {
            self.report(
                ChangeKind::MetadataUpdated,
                false,
                "XMP metadata replaced by something that is not XMP".to_owned(),
            );
            self.settle(id);
            return;
        }
        // An object that is metadata and something else is reported where it hangs.
        if self.approve(id, &[Role::CatalogMetadata]) {
            self.report(
                ChangeKind::MetadataUpdated,
                true,
                "XMP metadata updated".to_owned(),
            );
        }
    }

    /// The trailer's `/Info` may change freely (pyHanko's `DocInfoRule`).
    fn check_info(&mut self) {
        let before = self.old.trailer.get(b"Info").ok();
        let after = self.new.trailer.get(b"Info").ok();
        let touched = before != after
            || after
                .and_then(|value| value.as_reference().ok())
                .is_some_and(|id| self.changed(id));
        if !touched {
            return;
        }
        match after {
            None => self.report(
                ChangeKind::MetadataUpdated,
                true,
                "document information dictionary removed".to_owned(),
            ),
            Some(after) => {
                match after {
                    Object::Reference(id) if self.fresh_or_in_place(before, *id) => {
                        let id = *id;
                        self.approve(id, &[Role::Info]);
                        if let Some(object) = self.new.objects.get(&id) {
                            self.approve_fresh(object, &[Role::Info]);
                        }
                    }
                    _ => self.approve_fresh(after, &[Role::Info]),
                }
                self.report(
                    ChangeKind::MetadataUpdated,
                    true,
                    "document information dictionary updated".to_owned(),
                );
            }
        }
    }

    /// The page tree must keep its pages, in order; a page may change only in `/Annots`, and
    /// only by gaining the widgets of new signature fields (pyHanko's `_walk_page_tree_annots`).
    fn check_pages(&mut self) {
        let (old, new) = (self.old, self.new);
        let old_pages = self.old_view.pages.clone();
        let new_pages = self.new_view.pages.clone();
        let old_set: HashSet<ObjectId> = old_pages.iter().copied().collect();
        let new_set: HashSet<ObjectId> = new_pages.iter().copied().collect();
        if old_pages != new_pages {
            let mut listed = false;
            for (index, page) in new_pages.iter().enumerate() {
                if !old_set.contains(page) {
                    self.report(
                        ChangeKind::PagesChanged,
                        false,
                        format!("page {} added", index + 1),
                    );
                    self.settle_fresh(&Object::Reference(*page));
                    listed = true;
                }
            }
            for (index, page) in old_pages.iter().enumerate() {
                if !new_set.contains(page) {
                    self.report(
                        ChangeKind::PagesChanged,
                        false,
                        format!("page {} removed", index + 1),
                    );
                    listed = true;
                }
            }
            if !listed {
                self.report(
                    ChangeKind::PagesChanged,
                    false,
                    "pages reordered".to_owned(),
                );
            }
        }
        let mut nodes: Vec<ObjectId> = self
            .old_view
            .tree_nodes
            .intersection(&self.new_view.tree_nodes)
            .copied()
            .filter(|node| self.changed(*node))
            .collect();
        nodes.sort_unstable();
        for node in nodes {
            let (Ok(before), Ok(after)) = (old.get_dictionary(node), new.get_dictionary(node))
            else {
                continue;
            };
            for (key, edit) in edits(before, after, &[b"Kids", b"Count", b"Parent"]) {
                self.report(
                    ChangeKind::PagesChanged,
                    false,
                    format!("page tree entry {} {}", key_name(&key), edit.word()),
                );
            }
            let restructured = before.get(b"Kids").ok() != after.get(b"Kids").ok()
                || before.get(b"Count").ok() != after.get(b"Count").ok();
            if restructured && old_pages == new_pages {
                self.report(
                    ChangeKind::PagesChanged,
                    false,
                    "page tree restructured".to_owned(),
                );
            }
            self.settle(node);
        }
        for (index, page) in new_pages.iter().enumerate() {
            if old_set.contains(page) {
                self.check_page(*page, index + 1);
            }
        }
    }

    fn check_page(&mut self, page: ObjectId, number: usize) {
        let (old, new) = (self.old, self.new);
        let (Ok(before), Ok(after)) = (old.get_dictionary(page), new.get_dictionary(page)) else {
            return;
        };
        if self.changed(page) {
            for (key, edit) in edits(before, after, &[b"Annots"]) {
                if key == b"Contents" {
                    self.report(
                        ChangeKind::PageContentChanged,
                        false,
                        format!("content of page {number} changed"),
                    );
                } else {
                    self.report(
                        ChangeKind::PagesChanged,
                        false,
                        format!("page {number} entry {} {}", key_name(&key), edit.word()),
                    );
                }
            }
            self.settle(page);
        }
        let old_annotations = annotations(old, before);
        let new_annotations = annotations(new, after);
        if let Ok(Object::Reference(id)) = after.get(b"Annots")
            && self.fresh_or_in_place(before.get(b"Annots").ok(), *id)
        {
            self.approve(*id, &[Role::Annotation]);
        }
        let old_set: HashSet<ObjectId> = old_annotations.iter().copied().collect();
        let new_set: HashSet<ObjectId> = new_annotations.iter().copied().collect();
        for annotation in &old_annotations {
            if !new_set.contains(annotation) {
                self.report(
                    ChangeKind::AnnotationChanged,
                    false,
                    format!(
                        "{} removed from page {number}",
                        annotation_label(old, *annotation)
                    ),
                );
            }
        }
        for annotation in &new_annotations {
            if old_set.contains(annotation) || self.new_widgets.contains_key(annotation) {
                continue;
            }
            self.report(
                ChangeKind::AnnotationAdded,
                false,
                format!(
                    "{} added to page {number}",
                    annotation_label(new, *annotation)
                ),
            );
            self.settle_fresh(&Object::Reference(*annotation));
        }
    }

    /// Reports every differing object that no rule explained, where it hangs: in the new state,
    /// or in the signed revision for a removed object, whichever role weighs more.
    fn report_unexplained(&mut self) {
        let pending: Vec<(ObjectId, Status)> = self
            .differences
            .iter()
            .filter(|(id, _)| !self.handled.contains(id))
            .map(|(id, status)| (*id, *status))
            .collect();
        for (id, status) in pending {
            let after = match status {
                Status::Removed => None,
                _ => self
                    .new_view
                    .first_role(id)
                    .map(|(role, origin)| (role, origin, true)),
            };
            let before = match status {
                Status::Added => None,
                _ => self
                    .old_view
                    .first_role(id)
                    .map(|(role, origin)| (role, origin, false)),
            };
            let chosen = match (after, before) {
                (Some(after), Some(before)) if before.0 < after.0 => Some(before),
                (Some(after), _) => Some(after),
                (None, before) => before,
            };
            let Some((role, origin, in_new)) = chosen else {
                continue;
            };
            let origin = origin.clone();
            let (kind, description) = self.describe(id, status, role, &origin, in_new);
            self.report(kind, false, description);
        }
    }

    fn describe(
        &self,
        id: ObjectId,
        status: Status,
        role: Role,
        origin: &Origin,
        in_new: bool,
    ) -> (ChangeKind, String) {
        let (document, view) = if in_new {
            (self.new, &self.new_view)
        } else {
            (self.old, &self.old_view)
        };
        let page = origin
            .page
            .map_or_else(|| "?".to_owned(), |page| page.to_string());
        let key = origin.key.as_deref().map(key_name).unwrap_or_default();
        let object = object_label(document, id);
        match role {
            Role::PageContent => (
                ChangeKind::PageContentChanged,
                format!("content of page {page} changed"),
            ),
            Role::PageResources => match origin.page {
                Some(page) => (
                    ChangeKind::PageContentChanged,
                    format!("resources used by page {page} changed"),
                ),
                None => (
                    ChangeKind::PageContentChanged,
                    "resources inherited by pages changed".to_owned(),
                ),
            },
            Role::Annotation => match origin.annotation {
                None => (
                    ChangeKind::AnnotationChanged,
                    format!("annotations of page {page} changed"),
                ),
                Some(annotation) => match view.names.get(&annotation) {
                    Some(name) => (
                        ChangeKind::AnnotationChanged,
                        format!("widget of field {name} on page {page} changed"),
                    ),
                    None if self.differences.get(&annotation) == Some(&Status::Added) => (
                        ChangeKind::AnnotationAdded,
                        format!(
                            "{} added to page {page}",
                            annotation_label(document, annotation)
                        ),
                    ),
                    None => (
                        ChangeKind::AnnotationChanged,
                        format!(
                            "{} on page {page} changed",
                            annotation_label(document, annotation)
                        ),
                    ),
                },
            },
            Role::Page => (
                ChangeKind::PagesChanged,
                format!("page {page} {}", status.word()),
            ),
            Role::PageOther => (
                ChangeKind::PagesChanged,
                format!("page {page} entry {key} changed"),
            ),
            Role::PageTree => (ChangeKind::PagesChanged, "page tree changed".to_owned()),
            Role::Catalog => (
                ChangeKind::CatalogChanged,
                "document catalog changed".to_owned(),
            ),
            Role::CatalogOther => (
                ChangeKind::CatalogChanged,
                format!("catalog entry {key} changed"),
            ),
            Role::CatalogAcroForm => match view.names.get(&id) {
                Some(name) => (
                    ChangeKind::Other,
                    format!("form field {name} ({object}) {}", status.word()),
                ),
                None => (
                    ChangeKind::Other,
                    format!("interactive form {object} {}", status.word()),
                ),
            },
            Role::CatalogDss => (
                ChangeKind::DssUpdated,
                format!("document security store {object} {}", status.word()),
            ),
            Role::CatalogMetadata => (
                ChangeKind::MetadataUpdated,
                format!("XMP metadata {object} {}", status.word()),
            ),
            Role::CatalogDeclaration => (
                ChangeKind::MetadataUpdated,
                format!("catalog entry {key} {object} {}", status.word()),
            ),
            Role::Info => (
                ChangeKind::MetadataUpdated,
                format!("document information {object} {}", status.word()),
            ),
        }
    }
}

/// The annotations a page lists in `/Annots`, direct or indirect.
fn annotations(document: &Document, page: &Dictionary) -> Vec<ObjectId> {
    resolve(document, page.get(b"Annots").ok())
        .and_then(as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_reference().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The streams an appearance entry names: directly, or per appearance state.
fn appearance_streams(entry: &Object) -> Vec<ObjectId> {
    match entry {
        Object::Reference(id) => vec![*id],
        Object::Dictionary(states) => states
            .iter()
            .filter_map(|(_, value)| value.as_reference().ok())
            .collect(),
        _ => Vec::new(),
    }
}

/// `value`, or the object it refers to.
fn resolve<'d>(document: &'d Document, value: Option<&'d Object>) -> Option<&'d Object> {
    match value? {
        Object::Reference(id) => document.objects.get(id),
        other => Some(other),
    }
}

fn as_dictionary(object: &Object) -> Option<&Dictionary> {
    object.as_dict().ok()
}

fn as_array(object: &Object) -> Option<&Vec<Object>> {
    object.as_array().ok()
}

/// `annotation /Link`, or `annotation` when it has no subtype.
fn annotation_label(document: &Document, id: ObjectId) -> String {
    match document
        .get_dictionary(id)
        .and_then(|annotation| annotation.get(b"Subtype"))
        .and_then(Object::as_name)
    {
        Ok(subtype) => format!("annotation {}", key_name(subtype)),
        Err(_) => "annotation".to_owned(),
    }
}

/// `object 12 (/Type /Sig)`, or `object 12` when it has no type.
fn object_label(document: &Document, id: ObjectId) -> String {
    let type_name = document
        .objects
        .get(&id)
        .and_then(|object| match object {
            Object::Dictionary(dictionary) => Some(dictionary),
            Object::Stream(stream) => Some(&stream.dict),
            _ => None,
        })
        .and_then(|dictionary| dictionary.get(b"Type").and_then(Object::as_name).ok());
    match type_name {
        Some(type_name) => format!("object {} (/Type {})", id.0, key_name(type_name)),
        None => format!("object {}", id.0),
    }
}

/// A PDF name as written in a file: `/` and the name, bytes outside printable ASCII (and `#`)
/// as `#XX` (ISO 32000-2 §7.3.5); names longer than 100 bytes are cut.
fn key_name(key: &[u8]) -> String {
    let mut name = String::from("/");
    for byte in key.iter().take(100) {
        if (0x21..=0x7E).contains(byte) && *byte != b'#' {
            name.push(char::from(*byte));
        } else {
            let _ = write!(name, "#{byte:02X}");
        }
    }
    name
}

/// A field name for a description: control characters removed, at most 200 characters.
fn plain(text: &str) -> String {
    text.chars()
        .filter(|character| !character.is_control())
        .take(200)
        .collect()
}

/// `2 certificates`, `1 CRL`, or nothing for none.
fn counted(count: usize, one: &str, many: &str) -> Option<String> {
    match count {
        0 => None,
        1 => Some(format!("1 {one}")),
        _ => Some(format!("{count} {many}")),
    }
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index their own outputs and fail loudly; the crate-level denial guards input"
)]
mod tests {
    use std::sync::LazyLock;

    use lopdf::{Stream, StringFormat, dictionary};
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;
    use crate::appearance::{Appearance, AppearanceItem, FontFace, Rgb};
    use crate::fixtures::{classic_pdf, encrypted_pdf, fake_cms, limits, modern_pdf};
    use crate::revision::Revision;
    use crate::{
        DssContents, FieldKind, FieldSpec, FieldTarget, SignatureKind, SignatureRequest,
        add_fields, add_fields_with_password, append_dss, fill_text_field,
        fill_text_field_with_password, prepare_signature, prepare_signature_with_password,
        revision_ends,
    };

    use ChangeKind::{
        AnnotationAdded, AnnotationChanged, CatalogChanged, DocumentTimestampAdded, DssUpdated,
        FieldCreated, FieldFilled, MetadataUpdated, Other, PageContentChanged, PagesChanged,
        SignatureAdded,
    };

    const LEADER: &str = "ky_so_lanh_dao";
    const AGENCY: &str = "ky_so_co_quan";
    const NUMBER: &str = "so_van_ban";

    fn spec(name: &str, kind: FieldKind, rect: Option<[f32; 4]>) -> FieldSpec {
        FieldSpec {
            name: name.to_owned(),
            kind,
            page: 1,
            rect,
        }
    }

    fn stamp() -> Appearance {
        Appearance {
            width: 200.0,
            height: 60.0,
            items: vec![AppearanceItem::Text {
                x: 4.0,
                y: 30.0,
                size: 10.0,
                font: FontFace::Serif,
                color: Rgb(0.0, 0.0, 0.6),
                text: "Ký bởi: Nguyễn Văn An".to_owned(),
            }],
        }
    }

    fn sign_with(
        bytes: &[u8],
        field: FieldTarget<'_>,
        kind: SignatureKind,
        appearance: Option<&Appearance>,
        password: Option<&str>,
    ) -> Vec<u8> {
        let request = SignatureRequest {
            field,
            kind,
            signing_time: Some(datetime!(2026-03-02 09:00:00 +07:00)),
            name: Some("Nguyễn Văn An"),
            reason: None,
            location: None,
            appearance,
            contents_capacity: 4096,
        };
        let prepared = match password {
            Some(password) => {
                prepare_signature_with_password(bytes, password, &request, &limits()).unwrap()
            }
            None => prepare_signature(bytes, &request, &limits()).unwrap(),
        };
        prepared.embed(&fake_cms(1500, 3)).unwrap()
    }

    fn sign(bytes: &[u8], field: FieldTarget<'_>) -> Vec<u8> {
        sign_with(bytes, field, SignatureKind::Signature, None, None)
    }

    /// A Decree 30 draft: the number field and the two signature fields, created up front.
    fn draft(input: &[u8]) -> Vec<u8> {
        add_fields(
            input,
            &[
                spec(NUMBER, FieldKind::Text, Some([72.0, 760.0, 250.0, 780.0])),
                spec(
                    LEADER,
                    FieldKind::Signature,
                    Some([350.0, 100.0, 550.0, 160.0]),
                ),
                spec(
                    AGENCY,
                    FieldKind::Signature,
                    Some([350.0, 20.0, 550.0, 80.0]),
                ),
            ],
            &limits(),
        )
        .unwrap()
    }

    /// The draft, signed by the leader with a visible appearance.
    fn leader_signed(input: &[u8]) -> Vec<u8> {
        let draft = draft(input);
        sign_with(
            &draft,
            FieldTarget::Existing(LEADER),
            SignatureKind::Signature,
            Some(&stamp()),
            None,
        )
    }

    fn inputs() -> [Vec<u8>; 2] {
        [classic_pdf(&["Quyết định"]), modern_pdf(&["Quyết định"])]
    }

    fn changes(bytes: &[u8], revision_end: usize) -> Vec<Change> {
        changes_after(bytes, revision_end, &limits()).unwrap()
    }

    fn change(kind: ChangeKind, allowed: bool, description: &str) -> Change {
        Change {
            kind,
            allowed,
            description: description.to_owned(),
        }
    }

    fn allowed(kind: ChangeKind, description: &str) -> Change {
        change(kind, true, description)
    }

    fn refused(kind: ChangeKind, description: &str) -> Change {
        change(kind, false, description)
    }

    /// Appends a revision made by `edit` with the crate's revision writer.
    fn revise(bytes: &[u8], edit: impl FnOnce(&mut Revision<'_>)) -> Vec<u8> {
        let mut revision = Revision::open(bytes, None, &limits()).unwrap();
        edit(&mut revision);
        revision.finish().unwrap().bytes
    }

    fn first_page(revision: &Revision<'_>) -> ObjectId {
        revision.document().page_iter().next().unwrap()
    }

    fn page_content(revision: &Revision<'_>) -> ObjectId {
        let page = revision.dictionary(first_page(revision)).unwrap();
        page.get(b"Contents").unwrap().as_reference().unwrap()
    }

    /// The signature dictionary of the field named `name`.
    fn signature_id(revision: &Revision<'_>, name: &str) -> ObjectId {
        let field = form::find(revision.document(), name).unwrap();
        let field = revision.dictionary(field.id).unwrap();
        field.get(b"V").unwrap().as_reference().unwrap()
    }

    fn add_annotation(revision: &mut Revision<'_>, annotation: Dictionary) {
        let id = revision.add(annotation).unwrap();
        let page_id = first_page(revision);
        let mut page = revision.dictionary(page_id).unwrap();
        let mut annots = page
            .get(b"Annots")
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default();
        annots.push(Object::Reference(id));
        page.set("Annots", annots);
        revision.set(page_id, page);
    }

    #[test]
    fn nothing_after_the_revision_is_no_change() {
        for input in inputs() {
            let signed = leader_signed(&input);
            assert_eq!(changes(&signed, signed.len()), []);
            let mut padded = signed.clone();
            padded.extend_from_slice(b"\r\n\n");
            assert_eq!(changes(&padded, signed.len()), []);
        }
    }

    #[test]
    fn signing_a_field_created_up_front_is_allowed() {
        for input in inputs() {
            let draft = draft(&input);
            let signed = leader_signed(&input);
            assert_eq!(
                changes(&signed, draft.len()),
                [allowed(
                    SignatureAdded,
                    "signature added to field ky_so_lanh_dao"
                )]
            );
        }
    }

    #[test]
    fn the_decree_30_flow_after_the_first_signature_is_allowed() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let numbered =
                fill_text_field(&signed, NUMBER, "123/QĐ-UBND", 12.0, &limits()).unwrap();
            assert_eq!(
                changes(&numbered, signed.len()),
                [allowed(FieldFilled, "field so_van_ban filled")]
            );
            let sealed = sign_with(
                &numbered,
                FieldTarget::Existing(AGENCY),
                SignatureKind::Signature,
                Some(&stamp()),
                None,
            );
            assert_eq!(
                changes(&sealed, numbered.len()),
                [allowed(
                    SignatureAdded,
                    "signature added to field ky_so_co_quan"
                )]
            );
            let validation_data = DssContents {
                certificates: vec![b"certificate A".to_vec(), b"certificate B".to_vec()],
                ocsp_responses: vec![b"response A".to_vec()],
                crls: Vec::new(),
            };
            let long_term = append_dss(&sealed, &validation_data, &limits()).unwrap();
            assert_eq!(
                changes(&long_term, sealed.len()),
                [allowed(
                    DssUpdated,
                    "document security store updated: 2 certificates, 1 OCSP response added"
                )]
            );
            let more = DssContents {
                crls: vec![b"crl A".to_vec()],
                ..DssContents::default()
            };
            let longer_term = append_dss(&long_term, &more, &limits()).unwrap();
            assert_eq!(
                changes(&longer_term, long_term.len()),
                [allowed(
                    DssUpdated,
                    "document security store updated: 1 CRL added"
                )]
            );
            let timestamped = sign_with(
                &longer_term,
                FieldTarget::New(spec("dau_thoi_gian", FieldKind::Signature, None)),
                SignatureKind::DocTimeStamp,
                None,
                None,
            );
            assert_eq!(
                changes(&timestamped, longer_term.len()),
                [
                    allowed(FieldCreated, "signature field dau_thoi_gian created"),
                    allowed(
                        DocumentTimestampAdded,
                        "document timestamp added in field dau_thoi_gian"
                    ),
                ]
            );
            // Everything at once, as the first signature sees it.
            let all = changes(&timestamped, signed.len());
            assert!(all.iter().all(|change| change.allowed), "{all:#?}");
            let kinds: Vec<ChangeKind> = all.iter().map(|change| change.kind).collect();
            assert_eq!(
                kinds,
                [
                    FieldFilled,
                    SignatureAdded,
                    FieldCreated,
                    DocumentTimestampAdded,
                    DssUpdated
                ]
            );
            // Each signature's byte range ends at a revision end.
            let ends = revision_ends(&timestamped);
            assert_eq!(ends.len(), 8);
            assert!(ends.contains(&signed.len()) && ends.contains(&numbered.len()));
        }
    }

    #[test]
    fn a_new_signature_field_is_allowed() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let added = add_fields(
                &signed,
                &[spec(
                    "ky_bo_sung",
                    FieldKind::Signature,
                    Some([50.0, 20.0, 250.0, 80.0]),
                )],
                &limits(),
            )
            .unwrap();
            assert_eq!(
                changes(&added, signed.len()),
                [allowed(FieldCreated, "signature field ky_bo_sung created")]
            );
            let visible = sign_with(
                &signed,
                FieldTarget::New(spec(
                    "ky_moi",
                    FieldKind::Signature,
                    Some([50.0, 20.0, 250.0, 80.0]),
                )),
                SignatureKind::Signature,
                Some(&stamp()),
                None,
            );
            assert_eq!(
                changes(&visible, signed.len()),
                [
                    allowed(FieldCreated, "signature field ky_moi created"),
                    allowed(SignatureAdded, "signature added to field ky_moi"),
                ]
            );
        }
    }

    #[test]
    fn changing_page_content_is_not_allowed() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let in_place = revise(&signed, |revision| {
                let content = page_content(revision);
                revision.set(
                    content,
                    Stream::new(
                        dictionary! {},
                        b"BT /F1 12 Tf 72 720 Td (Forged) Tj ET".to_vec(),
                    ),
                );
            });
            assert_eq!(
                changes(&in_place, signed.len()),
                [refused(PageContentChanged, "content of page 1 changed")]
            );
            let replaced = revise(&signed, |revision| {
                let content = revision
                    .add(Stream::new(dictionary! {}, b"BT ET".to_vec()))
                    .unwrap();
                let page_id = first_page(revision);
                let mut page = revision.dictionary(page_id).unwrap();
                page.set("Contents", Object::Reference(content));
                revision.set(page_id, page);
            });
            assert_eq!(
                changes(&replaced, signed.len()),
                [refused(PageContentChanged, "content of page 1 changed")]
            );
            let resources = revise(&signed, |revision| {
                let font = revision
                    .document()
                    .objects
                    .iter()
                    .find(|(_, object)| {
                        object
                            .as_dict()
                            .is_ok_and(|font| font.get(b"BaseFont").is_ok())
                    })
                    .map(|(id, _)| *id)
                    .unwrap();
                let mut dictionary = revision.dictionary(font).unwrap();
                dictionary.set("BaseFont", Object::Name(b"Courier".to_vec()));
                revision.set(font, dictionary);
            });
            assert_eq!(
                changes(&resources, signed.len()),
                [refused(
                    PageContentChanged,
                    "resources inherited by pages changed"
                )]
            );
        }
    }

    #[test]
    fn adding_a_page_is_not_allowed() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let bigger = revise(&signed, |revision| {
                let catalog = revision.dictionary(revision.catalog_id().unwrap()).unwrap();
                let pages_id = catalog.get(b"Pages").unwrap().as_reference().unwrap();
                let content = revision
                    .add(Stream::new(dictionary! {}, b"BT ET".to_vec()))
                    .unwrap();
                let page = revision
                    .add(dictionary! {
                        "Type" => "Page",
                        "Parent" => pages_id,
                        "Contents" => content,
                    })
                    .unwrap();
                let mut pages = revision.dictionary(pages_id).unwrap();
                let mut kids = pages.get(b"Kids").unwrap().as_array().unwrap().clone();
                kids.push(Object::Reference(page));
                pages.set("Kids", kids);
                pages.set("Count", 2);
                revision.set(pages_id, pages);
            });
            assert_eq!(
                changes(&bigger, signed.len()),
                [refused(PagesChanged, "page 2 added")]
            );
            let rotated = revise(&signed, |revision| {
                let page_id = first_page(revision);
                let mut page = revision.dictionary(page_id).unwrap();
                page.set("Rotate", 90);
                revision.set(page_id, page);
            });
            assert_eq!(
                changes(&rotated, signed.len()),
                [refused(PagesChanged, "page 1 entry /Rotate added")]
            );
        }
    }

    #[test]
    fn adding_annotations_is_not_allowed() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let link = revise(&signed, |revision| {
                add_annotation(
                    revision,
                    dictionary! {
                        "Type" => "Annot",
                        "Subtype" => "Link",
                        "Rect" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                        "A" => dictionary! {
                            "S" => "URI",
                            "URI" => Object::string_literal("https://example.invalid/"),
                        },
                    },
                );
            });
            assert_eq!(
                changes(&link, signed.len()),
                [refused(AnnotationAdded, "annotation /Link added to page 1")]
            );
            // Once signed with the link, the link may not change nor go.
            let link_id = |revision: &Revision<'_>| {
                let page = revision.dictionary(first_page(revision)).unwrap();
                let annots = page.get(b"Annots").unwrap().as_array().unwrap().clone();
                annots
                    .iter()
                    .map(|annot| annot.as_reference().unwrap())
                    .find(|id| {
                        revision
                            .dictionary(*id)
                            .unwrap()
                            .get(b"Subtype")
                            .is_ok_and(|subtype| subtype.as_name().unwrap() == b"Link")
                    })
                    .unwrap()
            };
            let redirected = revise(&link, |revision| {
                let id = link_id(revision);
                let mut annotation = revision.dictionary(id).unwrap();
                annotation.set("Rect", vec![0.into(), 0.into(), 1.into(), 1.into()]);
                revision.set(id, annotation);
            });
            assert_eq!(
                changes(&redirected, link.len()),
                [refused(
                    AnnotationChanged,
                    "annotation /Link on page 1 changed"
                )]
            );
            let removed = revise(&link, |revision| {
                let id = link_id(revision);
                let page_id = first_page(revision);
                let mut page = revision.dictionary(page_id).unwrap();
                let mut annots = page.get(b"Annots").unwrap().as_array().unwrap().clone();
                annots.retain(|annot| annot.as_reference().unwrap() != id);
                page.set("Annots", annots);
                revision.set(page_id, page);
            });
            assert_eq!(
                changes(&removed, link.len()),
                [refused(
                    AnnotationChanged,
                    "annotation /Link removed from page 1"
                )]
            );
            let note = revise(&signed, |revision| {
                add_annotation(
                    revision,
                    dictionary! {
                        "Type" => "Annot",
                        "Subtype" => "FreeText",
                        "Rect" => vec![72.into(), 700.into(), 300.into(), 720.into()],
                        "Contents" => Object::string_literal("Forged"),
                        "DA" => Object::string_literal("/Helv 12 Tf 0 g"),
                    },
                );
            });
            assert_eq!(
                changes(&note, signed.len()),
                [refused(
                    AnnotationAdded,
                    "annotation /FreeText added to page 1"
                )]
            );
        }
    }

    #[test]
    fn catalog_entries_are_not_allowed() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let action = revise(&signed, |revision| {
                let catalog_id = revision.catalog_id().unwrap();
                let mut catalog = revision.dictionary(catalog_id).unwrap();
                catalog.set(
                    "OpenAction",
                    dictionary! {
                        "S" => "JavaScript",
                        "JS" => Object::string_literal("app.alert('x')"),
                    },
                );
                revision.set(catalog_id, catalog);
            });
            assert_eq!(
                changes(&action, signed.len()),
                [refused(CatalogChanged, "catalog entry /OpenAction added")]
            );
            let names = revise(&signed, |revision| {
                let script = revision
                    .add(dictionary! {
                        "S" => "JavaScript",
                        "JS" => Object::string_literal("app.alert('x')"),
                    })
                    .unwrap();
                let names = revision
                    .add(dictionary! {
                        "JavaScript" => dictionary! {
                            "Names" => vec![Object::string_literal("x"), script.into()],
                        },
                    })
                    .unwrap();
                let catalog_id = revision.catalog_id().unwrap();
                let mut catalog = revision.dictionary(catalog_id).unwrap();
                catalog.set("Names", names);
                revision.set(catalog_id, catalog);
            });
            let found = changes(&names, signed.len());
            assert_eq!(
                found[0],
                refused(CatalogChanged, "catalog entry /Names added")
            );
            assert!(found.iter().all(|change| !change.allowed), "{found:#?}");
        }
    }

    #[test]
    fn rewriting_a_signature_is_not_allowed() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let forged = revise(&signed, |revision| {
                let id = signature_id(revision, LEADER);
                let mut signature = revision.dictionary(id).unwrap();
                signature.set(
                    "Contents",
                    Object::String(fake_cms(1500, 99), StringFormat::Hexadecimal),
                );
                revision.set(id, signature);
            });
            assert_eq!(
                changes(&forged, signed.len()),
                [refused(
                    Other,
                    "signature in field ky_so_lanh_dao was modified after signing"
                )]
            );
            // Later revisions are measured against the first signature too.
            let sealed = sign(&forged, FieldTarget::Existing(AGENCY));
            let found = changes(&sealed, signed.len());
            assert!(
                found.contains(&refused(
                    Other,
                    "signature in field ky_so_lanh_dao was modified after signing"
                )),
                "{found:#?}"
            );
        }
    }

    #[test]
    fn signed_and_other_fields_keep_their_shape() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let moved = revise(&signed, |revision| {
                let field = form::find(revision.document(), LEADER).unwrap();
                let mut dictionary = revision.dictionary(field.id).unwrap();
                dictionary.set("Rect", vec![0.into(), 0.into(), 10.into(), 10.into()]);
                revision.set(field.id, dictionary);
            });
            assert_eq!(
                changes(&moved, signed.len()),
                [refused(
                    Other,
                    "signed signature field ky_so_lanh_dao entry /Rect changed"
                )]
            );
            let repainted = revise(&signed, |revision| {
                let stream = form::empty_appearance(revision, 200.0, 60.0).unwrap();
                let field = form::find(revision.document(), LEADER).unwrap();
                let mut dictionary = revision.dictionary(field.id).unwrap();
                dictionary.set("AP", form::appearance_dictionary(stream));
                revision.set(field.id, dictionary);
            });
            let found = changes(&repainted, signed.len());
            assert_eq!(
                found[0],
                refused(
                    Other,
                    "signed signature field ky_so_lanh_dao entry /AP changed"
                )
            );
            assert!(found.iter().all(|change| !change.allowed), "{found:#?}");
            let text_field = add_fields(
                &signed,
                &[spec(
                    "ghi_chu",
                    FieldKind::Text,
                    Some([72.0, 600.0, 300.0, 620.0]),
                )],
                &limits(),
            )
            .unwrap();
            assert_eq!(
                changes(&text_field, signed.len()),
                [refused(FieldCreated, "text field ghi_chu created")]
            );
            let renamed = revise(&signed, |revision| {
                let field = form::find(revision.document(), NUMBER).unwrap();
                let mut dictionary = revision.dictionary(field.id).unwrap();
                dictionary.set("T", Object::string_literal("so_khac"));
                revision.set(field.id, dictionary);
            });
            let found = changes(&renamed, signed.len());
            assert_eq!(
                found,
                [refused(Other, "form field so_van_ban entry /T changed")]
            );
        }
    }

    #[test]
    fn a_signature_field_with_another_kind_of_annotation_is_not_allowed() {
        let signed = leader_signed(&classic_pdf(&["x"]));
        let sneaky = revise(&signed, |revision| {
            let page_id = first_page(revision);
            let field = revision
                .add(dictionary! {
                    "FT" => "Sig",
                    "T" => Object::string_literal("trick"),
                    "Type" => "Annot",
                    "Subtype" => "FreeText",
                    "Rect" => vec![72.into(), 700.into(), 300.into(), 720.into()],
                    "Contents" => Object::string_literal("Forged"),
                    "P" => page_id,
                })
                .unwrap();
            form::add_annotations(revision, page_id, &[field]).unwrap();
            form::update_form(revision, &[field], form::FormChanges::default()).unwrap();
        });
        assert_eq!(
            changes(&sneaky, signed.len()),
            [refused(
                AnnotationAdded,
                "annotation /FreeText added as a widget of field trick"
            )]
        );
    }

    #[test]
    fn removing_an_object_is_not_allowed() {
        let signed = leader_signed(&classic_pdf(&["x"]));
        let document = Document::load_mem(&signed).unwrap();
        let page = document.page_iter().next().unwrap();
        let content = document
            .get_dictionary(page)
            .unwrap()
            .get(b"Contents")
            .unwrap()
            .as_reference()
            .unwrap();
        let catalog = document
            .trailer
            .get(b"Root")
            .unwrap()
            .as_reference()
            .unwrap();
        let size = document.trailer.get(b"Size").unwrap().as_i64().unwrap();
        let mut freed = signed.clone();
        let xref = freed.len();
        freed.extend_from_slice(
            format!(
                "xref\n0 1\n0000000000 65535 f\r\n{} 1\n0000000000 00001 f\r\n\
                 trailer\n<< /Size {size} /Root {} 0 R /Prev {} >>\nstartxref\n{xref}\n%%EOF\n",
                content.0, catalog.0, document.xref_start
            )
            .as_bytes(),
        );
        assert_eq!(
            changes(&freed, signed.len()),
            [refused(PageContentChanged, "content of page 1 changed")]
        );
    }

    #[test]
    fn metadata_updates_are_allowed_when_they_stay_metadata() {
        const XMP: &[u8] =
            b"<?xpacket begin=''?><x:xmpmeta xmlns:x='adobe:ns:meta/'/><?xpacket end='w'?>";
        for input in inputs() {
            let signed = leader_signed(&input);
            let metadata = revise(&signed, |revision| {
                let stream = revision
                    .add(Stream::new(
                        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
                        XMP.to_vec(),
                    ))
                    .unwrap();
                let catalog_id = revision.catalog_id().unwrap();
                let mut catalog = revision.dictionary(catalog_id).unwrap();
                catalog.set("Metadata", stream);
                revision.set(catalog_id, catalog);
                let info = revision
                    .add(dictionary! { "Producer" => Object::string_literal("Vanthu") })
                    .unwrap();
                revision.document_mut().trailer.set("Info", info);
            });
            assert_eq!(
                changes(&metadata, signed.len()),
                [
                    allowed(MetadataUpdated, "XMP metadata updated"),
                    allowed(MetadataUpdated, "document information dictionary updated"),
                ]
            );
            // Rewritten in place, still XMP: allowed; turned into something else: not.
            let rewritten = revise(&metadata, |revision| {
                let catalog = revision.dictionary(revision.catalog_id().unwrap()).unwrap();
                let stream = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
                let mut xmp = XMP.to_vec();
                xmp.extend_from_slice(b"\n");
                revision.set(
                    stream,
                    Stream::new(dictionary! { "Type" => "Metadata" }, xmp),
                );
            });
            assert_eq!(
                changes(&rewritten, metadata.len()),
                [allowed(MetadataUpdated, "XMP metadata updated")]
            );
            let garbage = revise(&metadata, |revision| {
                let catalog = revision.dictionary(revision.catalog_id().unwrap()).unwrap();
                let stream = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
                revision.set(stream, Stream::new(dictionary! {}, b"BT ET".to_vec()));
            });
            assert_eq!(
                changes(&garbage, metadata.len()),
                [refused(
                    MetadataUpdated,
                    "XMP metadata replaced by something that is not XMP"
                )]
            );
        }
    }

    #[test]
    fn page_content_cannot_pass_as_metadata() {
        // Before signing, the catalog's /Metadata is made the page's content stream.
        let mut document = crate::fixtures::document(&["x"]);
        let page = document.page_iter().next().unwrap();
        let content = document
            .get_dictionary(page)
            .unwrap()
            .get(b"Contents")
            .unwrap()
            .as_reference()
            .unwrap();
        if let Ok(Object::Stream(stream)) = document.get_object_mut(content) {
            stream.content.extend_from_slice(b"\n% xmpmeta\n");
        }
        document.catalog_mut().unwrap().set("Metadata", content);
        let mut input = Vec::new();
        document.save_to(&mut input).unwrap();
        let signed = leader_signed(&input);
        let forged = revise(&signed, |revision| {
            revision.set(
                content,
                Stream::new(dictionary! {}, b"BT (Forged) Tj ET % xmpmeta".to_vec()),
            );
        });
        let found = changes(&forged, signed.len());
        assert!(
            found.contains(&refused(PageContentChanged, "content of page 1 changed")),
            "{found:#?}"
        );
        assert!(found.iter().all(|change| !change.allowed), "{found:#?}");
    }

    #[test]
    fn the_security_store_may_only_grow() {
        for input in inputs() {
            let signed = leader_signed(&input);
            let stored = append_dss(
                &signed,
                &DssContents {
                    certificates: vec![b"certificate".to_vec()],
                    ..DssContents::default()
                },
                &limits(),
            )
            .unwrap();
            let tampered = revise(&stored, |revision| {
                let catalog = revision.dictionary(revision.catalog_id().unwrap()).unwrap();
                let store = catalog.get(b"DSS").unwrap().as_reference().unwrap();
                let store = revision.dictionary(store).unwrap();
                let certificate = store.get(b"Certs").unwrap().as_array().unwrap()[0]
                    .as_reference()
                    .unwrap();
                revision.set(certificate, Stream::new(dictionary! {}, b"other".to_vec()));
            });
            // Measured from the signature, the certificate is simply new.
            assert_eq!(
                changes(&tampered, signed.len()),
                [allowed(
                    DssUpdated,
                    "document security store updated: 1 certificate added"
                )]
            );
            // Measured from the store, it was rewritten.
            let found = changes(&tampered, stored.len());
            assert_eq!(found.len(), 1, "{found:#?}");
            assert_eq!(found[0].kind, DssUpdated);
            assert!(!found[0].allowed);
            assert!(
                found[0]
                    .description
                    .starts_with("document security store object "),
                "{found:#?}"
            );
        }
    }

    #[test]
    fn a_store_in_the_catalog_with_indirect_arrays_grows_in_place() {
        let mut document = crate::fixtures::document(&["x"]);
        let certificate = document.add_object(Stream::new(dictionary! {}, b"cert A".to_vec()));
        let certificates = document.add_object(vec![Object::Reference(certificate)]);
        document
            .catalog_mut()
            .unwrap()
            .set("DSS", dictionary! { "Certs" => certificates });
        let mut input = Vec::new();
        document.save_to(&mut input).unwrap();
        let signed = leader_signed(&input);
        let stored = append_dss(
            &signed,
            &DssContents {
                certificates: vec![b"cert B".to_vec()],
                ..DssContents::default()
            },
            &limits(),
        )
        .unwrap();
        assert_eq!(
            changes(&stored, signed.len()),
            [allowed(
                DssUpdated,
                "document security store updated: 1 certificate added"
            )]
        );
        assert_eq!(
            crate::dss(&stored, &limits()).unwrap().certificates,
            [b"cert A".to_vec(), b"cert B".to_vec()]
        );
    }

    #[test]
    fn encrypted_files_compare_decrypted() {
        let input = encrypted_pdf(true);
        let draft = add_fields_with_password(
            &input,
            "user",
            &[
                spec(NUMBER, FieldKind::Text, Some([72.0, 760.0, 250.0, 780.0])),
                spec(LEADER, FieldKind::Signature, None),
            ],
            &limits(),
        )
        .unwrap();
        let signed = sign_with(
            &draft,
            FieldTarget::Existing(LEADER),
            SignatureKind::Signature,
            None,
            Some("user"),
        );
        let filled =
            fill_text_field_with_password(&signed, "user", NUMBER, "01/QĐ", 12.0, &limits())
                .unwrap();
        assert_eq!(
            changes_after_with_password(&filled, "user", signed.len(), &limits()).unwrap(),
            [allowed(FieldFilled, "field so_van_ban filled")]
        );
        assert_eq!(
            changes_after(&filled, signed.len(), &limits()).unwrap_err(),
            Error::Encrypted
        );
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/test_data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn signing_after_pyhanko_changes_nothing_disallowed() {
        for name in ["pyhanko-signed-classic.pdf", "pyhanko-signed-modern.pdf"] {
            let bytes = fixture(name);
            let ends = revision_ends(&bytes);
            assert_eq!(ends.len(), 2, "{name}");
            // pyHanko's own revision, as the unsigned original sees it.
            assert_eq!(
                changes(&bytes, ends[0]),
                [
                    allowed(FieldCreated, "signature field PyHankoSig created"),
                    allowed(SignatureAdded, "signature added to field PyHankoSig"),
                    allowed(MetadataUpdated, "document information dictionary updated"),
                ],
                "{name}"
            );
            let countersigned = sign_with(
                &bytes,
                FieldTarget::New(spec(
                    AGENCY,
                    FieldKind::Signature,
                    Some([350.0, 20.0, 550.0, 80.0]),
                )),
                SignatureKind::Signature,
                Some(&stamp()),
                None,
            );
            let stored = append_dss(
                &countersigned,
                &DssContents {
                    certificates: vec![b"certificate".to_vec()],
                    ..DssContents::default()
                },
                &limits(),
            )
            .unwrap();
            assert_eq!(
                changes(&stored, ends[1]),
                [
                    allowed(FieldCreated, "signature field ky_so_co_quan created"),
                    allowed(SignatureAdded, "signature added to field ky_so_co_quan"),
                    allowed(
                        DssUpdated,
                        "document security store updated: 1 certificate added"
                    ),
                ],
                "{name}"
            );
        }
    }

    #[test]
    fn refuses_a_revision_end_beyond_the_file() {
        let signed = leader_signed(&classic_pdf(&["x"]));
        assert_eq!(
            changes_after(&signed, signed.len() + 1, &limits()).unwrap_err(),
            Error::InvalidRequest {
                reason: "the revision end lies beyond the end of the file"
            }
        );
        assert!(changes_after(&signed, 100, &limits()).is_err());
    }

    #[test]
    fn reads_the_security_store() {
        let signed = leader_signed(&modern_pdf(&["x"]));
        assert_eq!(
            crate::dss(&signed, &limits()).unwrap(),
            DssContents::default()
        );
        let contents = DssContents {
            certificates: vec![b"cert A".to_vec(), b"cert B".to_vec()],
            ocsp_responses: vec![b"ocsp A".to_vec()],
            crls: vec![b"crl A".to_vec()],
        };
        let stored = append_dss(&signed, &contents, &limits()).unwrap();
        assert_eq!(crate::dss(&stored, &limits()).unwrap(), contents);
        let small = Limits {
            max_decompressed_bytes: 10,
            ..limits()
        };
        assert_eq!(
            crate::dss(&stored, &small).unwrap_err(),
            Error::DecompressionLimit { limit: 10 }
        );
    }

    #[test]
    fn describes_names_plainly() {
        assert_eq!(key_name(b"OpenAction"), "/OpenAction");
        assert_eq!(key_name(b"A B#"), "/A#20B#23");
        assert_eq!(plain("so\u{0}_van\nban"), "so_vanban");
    }

    /// A file with every kind of allowed revision, and the end of its first signature.
    static HISTORY: LazyLock<(Vec<u8>, usize)> = LazyLock::new(|| {
        let input = classic_pdf(&["x"]);
        let draft = add_fields(
            &input,
            &[
                spec(NUMBER, FieldKind::Text, Some([72.0, 760.0, 250.0, 780.0])),
                spec(LEADER, FieldKind::Signature, None),
            ],
            &limits(),
        )
        .unwrap();
        let signed = sign(&draft, FieldTarget::Existing(LEADER));
        let filled = fill_text_field(&signed, NUMBER, "7", 12.0, &limits()).unwrap();
        let stored = append_dss(
            &filled,
            &DssContents {
                certificates: vec![b"cert".to_vec()],
                ..DssContents::default()
            },
            &limits(),
        )
        .unwrap();
        (stored, signed.len())
    });

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Damaged files give a list or an error, never a panic, which the guard would turn
        /// into "parser failure".
        #[test]
        fn damaged_files_never_panic(
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            later in any::<bool>(),
            keep in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let (original, signed_end) = &*HISTORY;
            let mut bytes = original.clone();
            let start = if later { *signed_end } else { 0 };
            for (index, byte) in flips {
                let position = start + index.index(bytes.len() - start);
                bytes[position] = byte;
            }
            if truncate {
                bytes.truncate(keep.index(bytes.len()));
                bytes.extend_from_slice(b"\n%%EOF\n");
            }
            let end = (*signed_end).min(bytes.len());
            let result = changes_after(&bytes, end, &limits());
            prop_assert_ne!(
                result.err(),
                Some(Error::Corrupt { reason: "parser failure" })
            );
        }
    }
}
