"""The files of the pages (HTML, CSS, JavaScript modules, the service worker), served as they are."""
