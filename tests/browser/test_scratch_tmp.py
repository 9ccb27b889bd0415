from agora.articles import demo as demo_content

SLUGS = {a.language: a.slug for a in demo_content.ARTICLES}


def test_scratch(transactional_db, page, publisher, screenshots):
    demo_content.load()
    for lang in ["ckb", "kmr", "fa"]:
        page.goto(f"{publisher.agora_url}/articles/{SLUGS[lang]}/")
        page.screenshot(path=f"/tmp/agora-scratch/page-{lang}.png", full_page=True)
    page.goto(publisher.host_url + "/ar.html")
    page.wait_for_selector("#agora-comments >> .send")
    page.screenshot(path="/tmp/agora-scratch/ar.png", full_page=True)
