//! The lists: the changes across the archive or one site, page by page, and the sites.

use super::{Html, badges, site_of, title_or_untitled, when};
use crate::archive::{ChangeKind, Version};
use crate::render::routes::{Route, filter_name, filters};

/// One page of recorded changes across the archive or one site.
pub struct ChangesPage<'a> {
    pub filter: Option<ChangeKind>,
    pub site: Option<&'a str>,
    pub page: usize,
    /// Newest first, numbered within their articles.
    pub versions: &'a [Version],
    pub has_next: bool,
}

impl ChangesPage<'_> {
    /// Page `page` of the changes with `filter` on this page's site.
    fn with(&self, filter: Option<ChangeKind>, page: usize) -> Route {
        Route::Changes {
            filter,
            site: self.site.map(str::to_owned),
            page,
        }
    }
}

pub fn changes_page(p: &ChangesPage) -> String {
    let mut h = Html::new(&p.with(p.filter, p.page));
    let heading = match p.site {
        Some(site) => format!("Changes on {site}"),
        None => "Latest changes".to_owned(),
    };
    h.head(&heading);
    h.raw("<h1>").text(&heading).raw("</h1>\n");
    filters_nav(&mut h, p);
    if p.versions.is_empty() {
        h.raw("<p class=\"empty\">No changes recorded here.</p>\n");
    } else {
        h.raw("<table class=\"changes\"><thead><tr><th>fetched</th><th>change</th><th>article</th><th>site</th></tr></thead><tbody>\n");
        for v in p.versions {
            change_row(&mut h, p.filter, v);
        }
        h.raw("</tbody></table>\n");
    }
    pages_nav(&mut h, p);
    h.finish()
}

/// Links to the other filters, to all sites and every site, and to the feed.
fn filters_nav(h: &mut Html, p: &ChangesPage) {
    h.raw("<nav class=\"filters\">");
    for filter in filters() {
        if filter == p.filter {
            h.raw("<strong>")
                .text(filter_name(filter))
                .raw("</strong> ");
        } else {
            h.link(&p.with(filter, 1), filter_name(filter)).raw(" ");
        }
    }
    if p.site.is_some() {
        let everywhere = Route::Changes {
            filter: p.filter,
            site: None,
            page: 1,
        };
        h.raw("· ").link(&everywhere, "all sites");
    }
    h.raw("· ").link(&Route::Sites, "by site");
    let feed = Route::Feed {
        site: p.site.map(str::to_owned),
    };
    h.raw(" · <a class=\"feed\" href=\"")
        .href(&feed)
        .raw("\">Atom feed</a></nav>\n");
}

/// One change: when, its kinds, its article (linking to the diff and the timeline) and site.
fn change_row(h: &mut Html, filter: Option<ChangeKind>, v: &Version) {
    h.raw("<tr><td class=\"when\">")
        .text(&when(v))
        .raw("</td><td>");
    badges(h, v);
    let article = Route::Article {
        path: v.path.clone(),
    };
    h.raw("</td><td class=\"title\">")
        .link(&Route::change(v), title_or_untitled(&v.title))
        .raw(" <span class=\"versions\">(")
        .link(&article, &format!("version {}", v.number))
        .raw(")</span></td><td class=\"site\">");
    let site = site_of(&v.path);
    let on_site = Route::Changes {
        filter,
        site: Some(site.to_owned()),
        page: 1,
    };
    h.link(&on_site, site).raw("</td></tr>\n");
}

/// Links to the newer and older pages of the list.
fn pages_nav(h: &mut Html, p: &ChangesPage) {
    h.raw("<nav class=\"pages\">");
    if p.page > 1 {
        h.raw("<a rel=\"prev\" href=\"")
            .href(&p.with(p.filter, p.page - 1))
            .raw("\">← newer</a> ");
    }
    h.raw("<span>page ").number(p.page).raw("</span>");
    if p.has_next {
        h.raw(" <a rel=\"next\" href=\"")
            .href(&p.with(p.filter, p.page + 1))
            .raw("\">older →</a>");
    }
    h.raw("</nav>\n");
}

/// Every site of the archive.
pub fn sites_page(sites: &[String]) -> String {
    let mut h = Html::new(&Route::Sites);
    h.head("Sites");
    h.raw("<h1>Sites</h1>\n<ul class=\"sites\">\n");
    for site in sites {
        h.raw("<li>")
            .link(
                &Route::Changes {
                    filter: None,
                    site: Some(site.clone()),
                    page: 1,
                },
                site,
            )
            .raw(" · <a class=\"feed\" href=\"")
            .href(&Route::Feed {
                site: Some(site.clone()),
            })
            .raw("\">Atom feed</a></li>\n");
    }
    h.raw("</ul>\n");
    h.finish()
}
