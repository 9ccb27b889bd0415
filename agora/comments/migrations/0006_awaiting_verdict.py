from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_submission_claim"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="awaiting_verdict",
            field=models.BooleanField(db_index=True, default=False),
        ),
    ]
