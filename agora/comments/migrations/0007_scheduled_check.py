from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0006_awaiting_verdict"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScheduledCheck",
            fields=[
                ("key", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("claimed_at", models.DateTimeField()),
            ],
        ),
    ]
