def test_catalogue_lists_sample_pathways(client, auth):
    auth.login("gp")
    page = client.get("/").get_data(as_text=True)
    assert "Visible haematuria" in page or "haematuria" in page.lower()
