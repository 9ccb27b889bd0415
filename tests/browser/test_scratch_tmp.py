from agora.articles import demo as demo_content


def test_scratch(transactional_db, page, publisher, screenshots):
    demo_content.load()
    page.goto(publisher.host_url + "/")
    page.wait_for_selector("#agora-comments >> .send")
    page.screenshot(path="/tmp/agora-scratch/en.png", full_page=True)
    page.goto(publisher.host_url + "/ar.html")
    page.wait_for_selector("#agora-comments >> .send")
    page.screenshot(path="/tmp/agora-scratch/ar.png", full_page=True)
