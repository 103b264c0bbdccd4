//! Paging as the HSDS API reference has it.

use serde::Serialize;

pub const MAX_PER_PAGE: u64 = 100;
pub const DEFAULT_PER_PAGE: u64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    #[error("page must be a whole number of 1 or more")]
    Page,
    #[error("per_page must be a whole number from 1 to {MAX_PER_PAGE}")]
    PerPage,
}

impl Paging {
    /// From raw query values; `None` means the parameter was absent.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, PagingError> {
        let page = match page {
            None => 1,
            Some(p) => p
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|p| (1..=1_000_000).contains(p))
                .ok_or(PagingError::Page)?,
        };
        let per_page = match per_page {
            None => DEFAULT_PER_PAGE,
            Some(p) => p
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&p| (1..=MAX_PER_PAGE).contains(&p))
                .ok_or(PagingError::PerPage)?,
        };
        Ok(Paging { page, per_page })
    }
    /// Every item on one page (the API's NDJSON, which streams all results unpaged).
    pub fn everything() -> Self {
        Paging {
            page: 1,
            per_page: u64::from(u32::MAX),
        }
    }
    pub fn offset(&self) -> usize {
        ((self.page - 1) * self.per_page) as usize
    }
    pub fn limit(&self) -> usize {
        self.per_page as usize
    }
}

/// An HSDS API page.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub total_items: u64,
    pub total_pages: u64,
    pub page_number: u64,
    pub size: u64,
    pub first_page: bool,
    pub last_page: bool,
    pub empty: bool,
    pub contents: Vec<T>,
}

impl<T> Page<T> {
    pub fn new(contents: Vec<T>, total_items: u64, paging: Paging) -> Self {
        let total_pages = total_items.div_ceil(paging.per_page).max(1);
        Page {
            total_items,
            total_pages,
            page_number: paging.page,
            size: contents.len() as u64,
            first_page: paging.page == 1,
            last_page: paging.page >= total_pages,
            empty: contents.is_empty(),
            contents,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_out_of_range_paging() {
        assert_eq!(Paging::parse(Some("0"), None), Err(PagingError::Page));
        assert_eq!(Paging::parse(Some("-1"), None), Err(PagingError::Page));
        assert_eq!(Paging::parse(None, Some("0")), Err(PagingError::PerPage));
        assert_eq!(
            Paging::parse(None, Some("100000")),
            Err(PagingError::PerPage)
        );
        assert_eq!(Paging::parse(None, Some("abc")), Err(PagingError::PerPage));
        let p = Paging::parse(Some("3"), Some("10")).unwrap();
        assert_eq!((p.offset(), p.limit()), (20, 10));
    }

    #[test]
    fn page_metadata_follows_hsds() {
        let p = Page::new(
            vec![1, 2],
            12,
            Paging {
                page: 2,
                per_page: 10,
            },
        );
        assert_eq!(
            (p.total_pages, p.first_page, p.last_page, p.size, p.empty),
            (2, false, true, 2, false)
        );
        let e: Page<u8> = Page::new(
            vec![],
            0,
            Paging {
                page: 1,
                per_page: 10,
            },
        );
        assert_eq!(
            (e.total_pages, e.first_page, e.last_page, e.empty),
            (1, true, true, true)
        );
    }
}
